"""``make serve-demo``: the workspace on a fresh store with the demo round loaded.

Creates ``out/serve-demo/penata.db`` anew, one token per role (printed once, here in
the newcomer's own terminal, and never logged), stores ``scenarios/demo`` as a round
through the same service functions as an upload, prints the address and serves.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "scenarios" / "demo"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--dir", type=Path, default=REPO / "out" / "serve-demo")
    args = parser.parse_args(argv)

    import uvicorn

    from api import services
    from api.config import Settings
    from api.db import init_db, make_engine, session_factory
    from api.files import Upload, place_upload
    from api.main import create_app
    from api.security import ROLES, create_token

    args.dir.mkdir(parents=True, exist_ok=True)
    store = args.dir / "penata.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    settings = Settings(database_url=f"sqlite:///{store}")
    engine = make_engine(settings.database_url)
    init_db(engine)
    with session_factory(engine)() as session:
        tokens = {role: create_token(session, role)[1] for role in ROLES}
        files = place_upload(
            Upload("scenario.yaml", (DEMO / "scenario.yaml").read_bytes()),
            {role: Upload(f"{role}.csv", (DEMO / f"{role}.csv").read_bytes())
             for role in ("employees", "positions")})
        record = services.store(session, files, services.validate(files, settings))
        name = record.name
    engine.dispose()

    address = f"http://{args.host}:{args.port}/"
    lines = [
        "",
        f"Penata workspace (ruang kerja): {address}",
        f"Demo round loaded: {name}",
        "Sign in with one of these tokens (shown once; the store keeps only hashes):",
        *(f"  {role:<10} {token}" for role, token in tokens.items()),
        "Stop with Ctrl+C.",
        "",
    ]
    print("\n".join(lines), flush=True)  # noqa: T201 - the newcomer's terminal
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
