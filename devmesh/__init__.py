"""Developer tooling for the shop mesh: bootstrap, port table and process launcher.

Tilt, the test fixtures and the benchmark all start processes through this
package, so there is exactly one description of how each part runs.
"""
