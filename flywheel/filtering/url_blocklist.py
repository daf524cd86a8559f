"""Drop documents from blocked domains (a domain blocks its subdomains too)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from flywheel.bundled import URL_BLOCKLIST
from flywheel.filtering.base import Drop, FilterDoc, StepSettings
from flywheel.spark_files import local_path


class UrlBlocklistSettings(StepSettings):
    """Drop pages whose host is, or is under, a blocked domain."""

    blocklist_file: str | None = Field(
        default=str(URL_BLOCKLIST), description="File of blocked domains, one per line (bundled: UT1 "
                                                "adult/malware/phishing lists); null: none.")
    extra_blocked_domains: list[str] = Field(default=[], description="More domains to drop, with their subdomains.")


def read_blocklist(path: str) -> set[str]:
    domains = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        domain = line.split("#", 1)[0].strip().lower()
        if domain:
            domains.add(domain.removeprefix("www."))
    return domains


class UrlBlocklist:
    name = "url_blocklist"

    def __init__(self, settings: UrlBlocklistSettings) -> None:
        self.blocked = read_blocklist(local_path(settings.blocklist_file)) if settings.blocklist_file else set()
        self.blocked |= {d.strip().lower().removeprefix("www.") for d in settings.extra_blocked_domains}

    def apply(self, doc: FilterDoc) -> Drop | None:
        domain = (doc.domain or "").lower()
        # `a.b.example.com` is blocked by `a.b.example.com`, `b.example.com`, `example.com` or `com`.
        parts = domain.split(".")
        for i in range(len(parts)):
            if ".".join(parts[i:]) in self.blocked:
                return Drop("url_blocklist.domain", None, None,
                            f"domain {domain} is blocked by {'.'.join(parts[i:])}")
        return None
