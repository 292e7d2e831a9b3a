"""`make images`: one OCI image per app and one for daprd, built with buildah
from a Debian root file system made here (debootstrap; no base image is pulled).

- `names`: what each image is called and tagged (deploy/ refers to these).
- `rootfs`: the Debian bookworm minbase tree with python3, cached by recipe.
- `sources`: each image's files, the locked runtime requirements, digests.
- `layers`: buildah containers, copies, commits, pruning old tags.
- `steps`: the commands run, logged, with progress on long ones.
- `build`: the base image (tree + locked runtime deps), the app images and
  daprd's, each skipped when its content digest is already built.
- `podman`: the `podman run` options a test needs on this machine.
"""
