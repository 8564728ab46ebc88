"""The formserver command: serve, check definitions, read the development outbox."""
import argparse
import json
import os
import sys
from pathlib import Path


def _serve(args) -> int:
    from gunicorn.app.base import BaseApplication

    from . import create_app
    from .definition.load import DefinitionError

    if args.data_dir:
        os.environ["FORMSERVER_DATA_DIR"] = args.data_dir
    try:
        app = create_app()  # fail here, with the definition's problems, before any worker starts
    except DefinitionError as error:
        print(f"formserver: a form definition cannot be used, nothing was started.\n{error}", file=sys.stderr)
        return 1

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{args.host}:{args.port}")
            self.cfg.set("workers", args.workers)
            self.cfg.set("accesslog", "-")
            self.cfg.set("limit_request_line", 8190)

        def load(self):
            return app

    print(f"formserver: http://{args.host}:{args.port}/  (data: {app.config['DATA_DIR']})", flush=True)
    Server().run()
    return 0


def _check(args) -> int:
    from .definition.load import check_file
    from .logic import Logic

    logic = Logic()
    failed = 0
    for name in args.files:
        problems = check_file(Path(name), logic)
        for problem in problems:
            print(f"{name}:{problem.pointer or '/'}: {problem.message}")
        if not problems:
            print(f"{name}: OK")
        failed += bool(problems)
    return 1 if failed else 0


def _outbox(args) -> int:
    from .accounts.messages import read_outbox
    from .config import from_environment

    data_dir = args.data_dir or from_environment()["DATA_DIR"]
    for message in read_outbox(data_dir)[-args.last:]:
        print(json.dumps({k: message[k] for k in ("channel", "to", "subject", "body")}, ensure_ascii=False, indent=2))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="formserver", description="Form server for business licensing.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the server (gunicorn) on the embedded store")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--data-dir", help="data directory (default ./var or FORMSERVER_DATA_DIR)")
    serve.set_defaults(run=_serve)
    check = commands.add_parser("check", help="check form definition files; exit 1 on any problem")
    check.add_argument("files", nargs="+")
    check.set_defaults(run=_check)
    outbox = commands.add_parser("outbox", help="show messages kept in the development outbox")
    outbox.add_argument("--last", type=int, default=5)
    outbox.add_argument("--data-dir")
    outbox.set_defaults(run=_outbox)
    from .reference.cli import add_commands as add_reference_commands
    add_reference_commands(commands)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
