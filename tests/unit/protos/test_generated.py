import shutil
import subprocess
import sys
from pathlib import Path

from protos import generate

ROOT = Path(__file__).resolve().parents[3]


def test_committed_stubs_match_the_protos() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "protos.generate", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_kind_of_stub_is_generated(tmp_path: Path) -> None:
    generate.generate(tmp_path)
    names = {p.name for p in generate.generated_files(tmp_path)}

    assert {
        "product_pb2.py",
        "product_pb2.pyi",
        "product_pb2_grpc.py",
        "product_pb2_grpc.pyi",
        "product.pb.go",
        "product_grpc.pb.go",
    } <= names
    # Messages-only protos have no gRPC stubs.
    assert "events_pb2_grpc.py" not in names
    assert "events_pb2_grpc.pyi" not in names


def test_an_edited_missing_or_extra_stub_is_stale(tmp_path: Path) -> None:
    fresh, repo = tmp_path / "fresh", tmp_path / "repo"
    generate.generate(fresh)
    shutil.copytree(fresh, repo)
    assert generate.stale(fresh, repo) == []

    pyi = repo / "protos/product/v1/product_pb2.pyi"
    pyi.write_text(pyi.read_text() + "\n# edited\n")
    (repo / "protos/gen/go/order/v1/order.pb.go").unlink()
    (repo / "protos/user/v1/extra_pb2.py").write_text("")

    assert generate.stale(fresh, repo) == [
        "protos/gen/go/order/v1/order.pb.go",
        "protos/product/v1/product_pb2.pyi",
        "protos/user/v1/extra_pb2.py",
    ]
