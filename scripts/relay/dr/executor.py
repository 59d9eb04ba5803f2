"""Run a plan's steps as a dependency graph: independent steps in parallel, each timed and journalled.

A step runs once everything it comes `after` is complete (done or skipped). A step a resumed journal
records as complete is not run again when its `check` finds its end state in AWS: that is how a re-run
resumes. The journal is only a record (it may be stale or hand-edited), so a step whose check fails,
or that has no check, runs again. When a step fails, nothing new starts, the running ones finish, the
journal keeps every record, and the error says to re-run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from relay.dr.context import DrContext, Step, StepSkipped
from relay.dr.journal import DONE, FAILED, PENDING, RUNNING, SKIPPED, Journal, JournalStore
from relay.errors import RelayError

COMPLETE = (DONE, SKIPPED)
MAX_PARALLEL_STEPS = 4

Progress = Callable[[str, str, str], None]
"""(step name, status, detail) -> None: called as steps start and end (the CLI prints it to stderr)."""


def _quiet(_name: str, _status: str, _detail: str) -> None:
    return None


def _run_step(step: Step, ctx: DrContext, store: JournalStore, progress: Progress) -> None:
    """Run one step, timing it and saving the journal before and after; re-raise its failure."""
    journal = ctx.journal
    entry = journal.entry(step.name)
    entry.status, entry.started_at, entry.ended_at = RUNNING, time.time(), None
    store.save(journal)
    progress(step.name, RUNNING, step.intent(ctx))
    try:
        entry.detail = step.run(ctx)
        entry.status = DONE
    except StepSkipped as skipped:
        entry.detail, entry.status = str(skipped), SKIPPED
    except Exception as error:
        entry.detail = error.message if isinstance(error, RelayError) else f"{type(error).__name__}: {error}"
        entry.status = FAILED
        raise
    finally:
        entry.ended_at = time.time()
        store.save(journal)
        progress(step.name, entry.status, entry.detail)


def _still_holds(step: Step, ctx: DrContext) -> str | None:
    """None when AWS confirms the step a resumed journal records complete, else why it runs again."""
    if step.check is None:
        return "run again on resume: it checks AWS itself"
    return step.check(ctx)


def execute(
    steps: tuple[Step, ...], ctx: DrContext, store: JournalStore, progress: Progress = _quiet
) -> Journal:
    """Run what the journal does not record as complete (and re-checked); save it after every change."""
    journal = ctx.journal
    journal.attempts += 1
    journal.status = RUNNING
    for step in steps:
        entry = journal.entry(step.name)
        if entry.status in COMPLETE and ctx.resuming:
            reason = _still_holds(step, ctx)
            if reason is not None:
                progress(step.name, PENDING, f"the journal records it {entry.status}, but {reason}")
                entry.status, entry.detail = PENDING, ""
        elif entry.status not in COMPLETE:
            entry.status, entry.detail = PENDING, ""
    store.save(journal)
    failed = False
    running: set[Future[None]] = set()
    with ThreadPoolExecutor(max_workers=MAX_PARALLEL_STEPS, thread_name_prefix="dr-step") as pool:
        while True:
            for step in [] if failed else steps:
                entry = journal.entry(step.name)
                if entry.status == PENDING and all(journal.entry(d).status in COMPLETE for d in step.after):
                    entry.status = RUNNING
                    running.add(pool.submit(_run_step, step, ctx, store, progress))
            if not running:
                break
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            failed = failed or any(future.exception() is not None for future in finished)
    incomplete = [step for step in steps if journal.entry(step.name).status not in COMPLETE]
    journal.status = FAILED if incomplete else DONE
    store.save(journal)
    if incomplete:
        first = next((s for s in steps if journal.entry(s.name).status == FAILED), incomplete[0])
        entry = journal.entry(first.name)
        raise RelayError(
            f"{journal.operation} stopped at {first.name} ({entry.status}: {entry.detail or 'not started'}); "
            "fix the cause and re-run the same command to resume"
        )
    return journal
