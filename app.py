"""Serve the API and the chat UI on one port: `python app.py [--host H] [--port P]`.

The index is built on start-up when none exists. Defaults come from POLICYQA_HOST /
POLICYQA_PORT (127.0.0.1:7860); binding elsewhere must be asked for explicitly.
"""

from __future__ import annotations

import argparse

import uvicorn

from policyqa.serve.api import create_app
from policyqa.settings import get_settings


def main() -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(description="policyqa: API + chat UI on one port")
    parser.add_argument("--host", default=settings.host, help=f"default {settings.host}")
    parser.add_argument("--port", type=int, default=settings.port, help=f"default {settings.port}")
    args = parser.parse_args()
    print(f"policyqa: 启动中（首次运行会先建立索引）… http://{args.host}:{args.port}/ui/")
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
