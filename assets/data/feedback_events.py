"""`feedback_events`: user feedback from `landing/feedback/`, ingested exactly once."""

import hashlib
import time

import dagster as dg

from flywheel.datasets import FEEDBACK_EVENTS, FEEDBACK_EVENTS_REJECTED
from flywheel.feedback.ingest import FeedbackLog
from flywheel.quality.feedback_suites import feedback_events_suite, with_event_flags
from orchestration.audit import INTEGRITY
from orchestration.catalog import LANDING_FEEDBACK
from orchestration.gx_checks import check_result
from orchestration.metadata import path_value, table
from orchestration.resources import StorageResource


@dg.asset(key=FEEDBACK_EVENTS, group_name="feedback", kinds={"parquet"}, code_version="1", deps=[LANDING_FEEDBACK],
          check_specs=[dg.AssetCheckSpec(
              INTEGRITY, asset=FEEDBACK_EVENTS, blocking=True,
              description="GX suite on the new events before they are committed: unique non-null event_id, a "
                          "time, a known kind, a prompt within bounds, complete comparisons and ratings, no "
                          "personal data left. Blocking: a failure commits nothing and stops downstream.")])
def feedback_events(context: dg.AssetExecutionContext, storage: StorageResource):
    """Append-only log of user feedback: comparisons (prompt, chosen, rejected) and ratings
    (prompt, response, rating +1/-1) from `landing/feedback/*.jsonl`. Each run ingests whatever is
    new: a file already read (same bytes, any name) is skipped, an `event_id` already stored is
    not stored again, emails, phone numbers, IP addresses and card numbers are replaced by
    placeholders, and invalid lines go to `lake/feedback_events_rejected/` with file, line and
    reason. Only finished files count: writers rename a file to `*.jsonl` when done. New events
    are staged and validated before they are committed (write-audit-publish)."""
    log = FeedbackLog(storage.lake())
    started = time.perf_counter()
    with log.ingestion(storage.landing().list_feedback_files()) as pending:
        report = pending.report
        check = check_result(with_event_flags(pending.events.to_pandas()), feedback_events_suite(),
                             "feedback_events_integrity", started, check_name=INTEGRITY,
                             new_events=pending.events.num_rows,
                             **({"staged_path": dg.MetadataValue.path(pending.staged_path)} if pending.staged else {}))
        yield check
        if not check.passed:
            raise dg.Failure(f"feedback_events integrity check failed ({check.description}): nothing was "
                             f"committed, the files stay unread; the staged events are at {pending.staged_path}")
        pending.commit()
    for reject in report.rejects[:20]:
        context.log.warning(f"feedback line rejected: {reject['source_file']} line {reject['source_line']}: "
                            f"{reject['reason']}")
    ingest_ids = log.ingest_ids()
    events = log.events(["kind"])
    kinds = events.column("kind").value_counts().to_pylist()
    context.log.info(f"Ingested {report.events} new events ({report.duplicates} duplicates, {report.rejected} "
                     f"rejected lines) from {len(report.files_read)} new files")
    yield dg.MaterializeResult(
        # Changes exactly when an ingestion commits something, so downstream staleness is right.
        data_version=dg.DataVersion(hashlib.sha256("\n".join(ingest_ids).encode()).hexdigest()[:16]),
        metadata={
            "new_events": report.events, "duplicate_events_skipped": report.duplicates,
            "rejected_lines": report.rejected, "new_files": len(report.files_read),
            "files_already_ingested": report.files_already_ingested,
            "ingest_id": report.ingest_id or "nothing new",
            "pii_redactions": sum(report.pii_redactions.values()),
            "pii_redactions_by_kind": dict(report.pii_redactions) or "none",
            "dagster/row_count": events.num_rows,
            "events_by_kind": table([{"kind": k["values"], "events": k["counts"]} for k in kinds], ["kind", "events"]),
            "ingestions": len(ingest_ids),
            "files": table(report.files_read, ["name", "size", "events", "duplicates", "rejected", "sha256"]),
            "rejects": table(report.rejects[:20], ["source_file", "source_line", "reason", "excerpt"]),
            "rejected_total": log.rejects().num_rows,
            "path": path_value(log.lake.url(log.lake.dataset_path(FEEDBACK_EVENTS))),
            "rejected_path": path_value(log.lake.url(log.lake.dataset_path(FEEDBACK_EVENTS_REJECTED))),
        })
