"""The peer for `bench.route`: nonebot2 + nonebot-adapter-feishu with a matcher that does nothing.

Run by the peer's own virtual environment (bench/route_proc.py creates it and installs the versions pinned in
its PINS from the package index): `<venv>/bin/python bench/route_peer.py PORT API_BASE`. Its log level is
WARNING, so the peer does not pay for a log line per event: the comparison is against its fastest configuration.
"""

import os
import sys


def main() -> None:
    """Start the peer on 127.0.0.1:PORT with one Feishu bot whose API is API_BASE."""
    port, api = int(sys.argv[1]), sys.argv[2]
    os.sched_setaffinity(0, {0})
    import nonebot
    from nonebot.adapters.feishu import Adapter

    bot = {"app_id": "cli_bench", "app_secret": "s", "encrypt_key": "benchEncryptKey",
           "verification_token": "benchVerifyToken", "api_base": api}
    nonebot.init(driver="~fastapi+~httpx", host="127.0.0.1", port=port, log_level="WARNING",
                 feishu_bots=[bot])
    nonebot.get_driver().register_adapter(Adapter)
    matcher = nonebot.on_message(priority=1, block=True)

    @matcher.handle()
    async def _nothing() -> None:
        return None

    nonebot.run()


if __name__ == "__main__":
    main()
