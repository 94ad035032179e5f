"""``qinglang monitor_demo_feed``: replay the fictional demo stream as an RSS feed on 127.0.0.1.

``make demo`` runs it next to the web server; the demo source fetches it every minute (fetching
a loopback address needs ``QINGLANG_ALLOW_PRIVATE_URLS=1``, which the demo sets)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qinglang.monitor.demo import DEMO_FEED_PORT, serve_feed
from qinglang.monitor.models import Source


class Command(BaseCommand):
    help = "Serve the demo RSS feed (fictional stories), one more item every few seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=DEMO_FEED_PORT)
        parser.add_argument("--seconds-per-item", type=float, default=5.0)

    def handle(self, *args: Any, **options: Any) -> None:
        url = f"http://127.0.0.1:{options['port']}/feed.xml"
        Source.objects.filter(name="清溪演示订阅源").update(enabled=True, url=url, next_fetch_at=None)
        with serve_feed(options["port"], options["seconds_per_item"]):
            self.stdout.write(f"demo feed on {url} (Ctrl-C stops it)")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                return
