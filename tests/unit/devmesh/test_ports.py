from devmesh import ports


def test_every_port_is_distinct() -> None:
    table = ports.load(0)
    numbers = list(table.infra.values())
    for app in table.apps.values():
        numbers += [app.app, app.http, app.grpc, app.internal, app.metrics]
        numbers.append(app.app_metrics)
        if app.health != app.app:
            numbers.append(app.health)
    assert len(numbers) == len(set(numbers))


def test_offset_shifts_every_port() -> None:
    base, shifted = ports.load(0), ports.load(1000)
    assert shifted.redis == base.redis + 1000
    assert shifted.apps["order"].grpc == base.apps["order"].grpc + 1000


def test_every_app_has_ports() -> None:
    assert set(ports.load(0).apps) == set(ports.APP_NAMES)


def test_meshes_that_run_side_by_side_never_share_a_port() -> None:
    taken: dict[int, str] = {}
    for name, shift in ports.OFFSETS.items():
        table = ports.load(shift)
        numbers = set(table.infra.values())
        for app in table.apps.values():
            numbers |= {
                app.app,
                app.http,
                app.grpc,
                app.internal,
                app.metrics,
                app.health,
                app.app_metrics,
            }
        for number in numbers:
            assert number not in taken, f"{name} and {taken.get(number)} share {number}"
            taken[number] = name
