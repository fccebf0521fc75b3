"""The ``newsloom`` command line. Errors from the core are printed as one line each."""

from __future__ import annotations

import csv
import json
import logging
import os
import sys
from dataclasses import asdict

import click

from .display import printable, printable_all
from .errors import NewsloomError
from .store import MAX_ROWID, Store, utc_now

EXIT_SKIPPED = 1


class NewsloomGroup(click.Group):
    """Turns newsloom's typed errors into one readable line and exit status 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except NewsloomError as error:
            click.echo(f"error: {printable(error.message)}", err=True)
            ctx.exit(2)


@click.group(cls=NewsloomGroup)
@click.option("--db", "db_path", default=lambda: os.environ.get("NEWSLOOM_DB", "newsloom.db"),
              show_default="$NEWSLOOM_DB, else ./newsloom.db", help="The SQLite database to use.")
@click.option("-v", "--verbose", is_flag=True, help="Log what the stages do.")
@click.pass_context
def cli(ctx, db_path, verbose):
    """newsloom: follow a news story across many outlets."""
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("trafilatura", "htmldate", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.CRITICAL)
    ctx.obj = {"db_path": db_path}


def open_store(ctx) -> Store:
    store = ctx.obj.get("store")
    if store is None:
        store = ctx.obj["store"] = Store(ctx.obj["db_path"])
        ctx.call_on_close(store.close)
    return store


def input_options(command):
    """The options ``ingest`` and ``batch`` share: limits on an input, and the batch size
    (which also fixes the order articles are assigned to stories in)."""
    for option in reversed([
        click.option("--max-file-bytes", type=int, default=20_000_000, show_default=True,
                     help="Largest page (after decompression) read as one article."),
        click.option("--max-page-lines", type=int, default=20_000, show_default=True,
                     help="Most lines of a plain-text page or JSON Lines body read as one article."),
        click.option("--max-html-tags", type=int, default=100_000, show_default=True,
                     help="Most tags of an HTML page read as one article."),
        click.option("--batch-size", type=int, default=256, show_default=True,
                     help="Articles written per transaction."),
    ]):
        command = option(command)
    return command


def pipeline_config(max_file_bytes, max_page_lines, max_html_tags, batch_size):
    from .ingest import IngestConfig
    from .pipeline import PipelineConfig

    limits = IngestConfig(max_file_bytes=max_file_bytes, max_page_lines=max_page_lines, max_html_tags=max_html_tags)
    return PipelineConfig(ingest=limits, batch_size=batch_size)


def echo_skip(skipped) -> None:
    from tqdm import tqdm

    tqdm.write(f"skipped: {printable(skipped.path)}: {printable(skipped.reason)}", file=sys.stderr)


def echo_summary(ctx, store, report) -> None:
    """The summary of an ingest run; exit status 1 when anything was skipped."""
    counts = report.counts
    click.echo(f"read {counts['read']}, new {counts['new']}, updated {counts['updated']}, "
               f"unchanged {counts['unchanged']}, copies {counts['copies']}, skipped {len(report.skipped)}; "
               f"{store.count('articles')} articles in {store.count('stories')} stories")
    if report.skipped:
        ctx.exit(EXIT_SKIPPED)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@input_options
@click.pass_context
def ingest(ctx, paths, **options):
    """Read files or folders of articles (text, HTML, RSS/Atom, JSON Lines, WARC) into the store."""
    from tqdm import tqdm

    from .pipeline import Pipeline

    store = open_store(ctx)
    with tqdm(desc="ingest", unit=" articles", file=sys.stderr, disable=None, leave=False) as bar:
        pipeline = Pipeline(store, pipeline_config(**options), on_progress=bar.update, on_skip=echo_skip)
        report = pipeline.ingest(paths, command="ingest " + printable(" ".join(paths)))
    echo_summary(ctx, store, report)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--workers", type=click.IntRange(1, 100_000), default=lambda: os.cpu_count() or 1,
              show_default="the number of cores", help="Ray workers for stage 1 (one task each at a time).")
@click.option("--address", help="A running Ray cluster to use (e.g. ray://head:10001); default: a local one.")
@click.option("--work-dir", help="Where stage 1 writes its Parquet files and markers.",
              show_default="DB.batch beside the database")
@click.option("--records-per-task", type=click.IntRange(1), default=200, show_default=True,
              help="A JSON Lines file with more lines, or a WARC archive with more HTML response records, "
                   "is split into equal tasks of at most this many records.")
@input_options
@click.pass_context
def batch(ctx, paths, workers, address, work_dir, records_per_task, **options):
    """Ingest a large archive on Ray: the same inputs, store and result as ingest, stage 1 in parallel."""
    import time

    from tqdm import tqdm

    from .batch import BatchConfig, WorkDir, run_batch
    from .rayexec import RayExecutor

    store = open_store(ctx)
    executor = RayExecutor(BatchConfig(workers=workers, address=address, records_per_task=records_per_task))
    work = WorkDir(work_dir or f"{ctx.obj['db_path']}.batch")
    began, tally = time.perf_counter(), {"tasks": 0, "records": 0, "articles": 0}

    def on_task(result):
        if result.error:
            tqdm.write(f"stage 1: task failed: {printable(result.task.name)}: {printable(result.error)}",
                       file=sys.stderr)
            return
        tally["tasks"] += 1
        tally["records"] += result.records
        tally["articles"] += result.articles
        rate = tally["articles"] / max(time.perf_counter() - began, 1e-9)
        tqdm.write(f"stage 1: {tally['tasks']} tasks done, {tally['records']:,} records, "
                   f"{rate:.1f} articles/s", file=sys.stderr)

    with tqdm(desc="stage 3", unit=" articles", file=sys.stderr, disable=None, leave=False) as bar:
        report = run_batch(list(paths), store, executor, work, pipeline_config(**options),
                           command="batch " + printable(" ".join(paths)), on_task=on_task,
                           on_progress=bar.update, on_skip=echo_skip)
    done_before = sum(r.reused for r in report.results)
    prepared = sum(r.articles for r in report.results if not r.reused)
    click.echo(f"stage 1: {len(report.results)} tasks ({done_before} done before, {len(report.failed)} failed), "
               f"{prepared:,} articles prepared in {report.stage1_seconds:.1f} s; stage 3 alongside: "
               f"{report.run.counts['read']:,} read, all done in {report.seconds:.1f} s "
               f"({report.run.counts['read'] / max(report.seconds, 1e-9):.1f} articles/s)")
    echo_summary(ctx, store, report.run)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--query", help="Only stories with an article matching these words (full-text search).")
@click.pass_context
def stories(ctx, as_json, limit, query):
    """List stories, newest first: articles, outlets, dates, headline, the outlets by name and
    the claims they agree on, that one outlet alone states, and that they contest."""
    from .report import listed_stories

    store = open_store(ctx)
    found = listed_stories(store, store.stories(limit=limit, query=query))
    if as_json:
        click.echo(json.dumps(found, indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("no stories match: try other words" if query else
                   "no stories yet: ingest some articles with 'newsloom ingest PATH'")
    for s in found:
        span = f"{s['first_date'] or '?'} → {s['last_date'] or '?'}"
        c = s["claim_counts"]
        click.echo(f"#{s['id']:<5} {s['articles']:>3} articles  {s['outlets']:>2} outlets  {span:<24}  "
                   f"{printable(s['headline'])}")
        click.echo(f"{'':>8}claims: {c['corroborated']} agreed, {c['single_source']} single-source, "
                   f"{c['contested']} contested; {', '.join(printable(o) for o in s['outlet_names'])}")


@cli.command()
@click.argument("story_id", type=click.IntRange(1, MAX_ROWID))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def story(ctx, story_id, as_json):
    """Show one story: its articles and the comparison of its sources."""
    from .render import render_story_text
    from .report import story_data

    data = story_data(open_store(ctx), story_id)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(render_story_text(data))


@cli.group()
def export():
    """Export the store."""


EXPORT_FIELDS = ("id", "story", "source", "title", "published", "url", "duplicate_of", "copy_kind", "copy_score",
                 "dateline", "author", "language", "text", "shown_id")


@export.command("articles")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.pass_context
def export_articles(ctx, fmt):
    """One row per article: id, story, source, title, published, url, duplicate_of, text, …"""
    store = open_store(ctx.find_root())
    rows = ({**{k: getattr(a, k) for k in EXPORT_FIELDS if k != "story"}, "story": a.story_id}
            for a in store.iter_articles())
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps({k: row[k] for k in EXPORT_FIELDS}, ensure_ascii=False))
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=EXPORT_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--jsonl", "as_jsonl", is_flag=True, help="One JSON object per input article.")
@click.option("--explain", is_flag=True, help="Also list every dropped line and why.")
def extract(paths, as_jsonl, explain):
    """Clean files without a database: title, text, source, date, author, language."""
    from .clean import Cleaner
    from .ingest import read_inputs
    from .models import Skipped

    cleaner = Cleaner()
    skipped = 0
    for item in read_inputs(paths):
        article = item if isinstance(item, Skipped) else cleaner.clean_or_skip(item)
        if isinstance(article, Skipped):
            click.echo(f"skipped: {printable(article.path)}: {printable(article.reason)}", err=True)
            skipped += 1
            continue
        record = {"path": item.id, "title": article.title, "text": article.text, "source": article.source,
                  "published": article.published, "dateline": article.dateline, "author": article.author,
                  "language": article.language}
        if explain:
            record["dropped"] = [asdict(d) for d in article.dropped]
        if as_jsonl:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            head = printable_all({"title": article.title, "source": article.source, "published": article.published,
                                  "dateline": article.dateline, "author": article.author})
            click.echo(f"== {printable(item.id)}\ntitle: {head['title']}\nsource: {head['source']}\npublished: "
                       f"{head['published']}\ndateline: {head['dateline']}\nauthor: {head['author']}\n"
                       f"language: {article.language}\n\n{article.text}\n")
            if explain:
                for d in article.dropped:
                    click.echo(f"  - line {d.line_no}: {d.reason}: {printable(d.text[:100])}")
    if skipped:
        sys.exit(EXIT_SKIPPED)


@cli.command()
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def copies(ctx, article_id, as_json):
    """Show an article's group of copies: the original and how each copy relates to it."""
    store = open_store(ctx)
    article_id = store.resolve(article_id)  # an id or the name shown; NotFound with a fix
    group = store.copy_group(article_id)
    if as_json:
        from .report import shown_everywhere

        members = shown_everywhere([asdict(member) for member in group], {m.id: m.shown_id for m in group})
        click.echo(json.dumps(members, indent=2, ensure_ascii=False))
        return
    if len(group) == 1:
        click.echo(f"{printable(group[0].shown_id)} has no known copies and copies nothing known.")
        return
    for member in group:
        role = "original" if member.duplicate_of is None else f"{member.copy_kind} copy, score {member.copy_score:.2f}"
        click.echo(f"{printable(member.shown_id)}  [{printable(member.source) or 'unknown outlet'}, "
                   f"{printable(member.published) or 'no date'}]  {role}")
        cited = sorted({c.name for c in store.citations(member.id)})
        if cited:
            click.echo(f"    cites: {printable(', '.join(cited))}")


@cli.command()
@click.argument("article_id")
@click.pass_context
def why(ctx, article_id):
    """Why an article is in its story: the score, the signals and their weights for the chosen
    story and for the runner-up, and what it shares with the story."""
    store = open_store(ctx)
    article = store.article(store.resolve(article_id))
    assignment = store.assignment(article.id)
    if assignment is None:
        click.echo(f"{printable(article.shown_id)} is in no story yet.")
        return
    headline = store.story(assignment.story).headline
    click.echo(f"{printable(article.shown_id)} → story #{assignment.story} ({printable(headline)})")
    chosen, _, runner_up = assignment.reason.partition("; runner-up ")
    click.echo(f"  {printable(chosen)}")
    if runner_up:
        click.echo(f"  runner-up: {printable(runner_up)}")
    if assignment.shared_terms:
        click.echo(f"  shared: {printable(', '.join(assignment.shared_terms))}")
    if article.duplicate_of:
        original = store.shown_ids([article.duplicate_of]).get(article.duplicate_of, article.duplicate_of)
        click.echo(f"  copy of {printable(original)} ({article.copy_kind}, {article.copy_score:.2f})")


@cli.command()
@click.pass_context
def recluster(ctx):
    """Rebuild all stories from scratch, the same way ingest builds them."""
    from .pipeline import Pipeline

    store = open_store(ctx)
    total = store.count("articles")
    with click.progressbar(length=total, label="reclustering", file=sys.stderr) as bar:
        counts = Pipeline(store, on_progress=bar.update).recluster()
    click.echo(f"{counts['articles']} articles in {counts['stories']} stories")


@cli.command()
@click.argument("article_id")
@click.pass_context
def delete(ctx, article_id):
    """Remove an article from the store, its story and the copy index."""
    from .pipeline import Pipeline

    store = open_store(ctx)
    links = Pipeline(store).delete(store.resolve(article_id))
    original = store.shown_ids([links[0].original]).get(links[0].original, links[0].original) if links else None
    click.echo(f"deleted {printable(article_id)}" + (f"; {len(links)} former copies now copy {printable(original)}"
                                                     if links else ""))


@cli.command()
@click.pass_context
def runs(ctx):
    """List ingest runs with their counts."""
    for run in open_store(ctx).runs():
        click.echo(f"#{run.id} {run.started_at} {run.status}: {printable(run.command[:60])} {json.dumps(run.counts)}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--token", envvar="NEWSLOOM_TOKEN", show_envvar=True, default=None,
              help="Write token: POST and DELETE need 'Authorization: Bearer TOKEN' (without one the server "
                   "serves reads only; needed to listen on an address other than loopback).")
@click.option("--allow-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Also answer requests whose Host header is NAME (repeat; '*' for any). "
                   "The bound address and localhost are always answered.")
@click.option("--max-body-bytes", type=click.IntRange(1024), default=25_000_000, show_default=True,
              help="Largest request body; a larger one is refused (413) before it is read.")
@click.pass_context
def serve(ctx, host, port, token, allowed_hosts, max_body_bytes):
    """Serve the web pages and the JSON API on this store."""
    import uvicorn

    from .serve import ServeConfig, bound_native_memory, create_app

    bound_native_memory()
    config = ServeConfig(host=host, token=token or None, allowed_hosts=allowed_hosts, max_body_bytes=max_body_bytes)
    open_store(ctx)  # the database opens (and migrates) before the server starts, or fails here
    writes = "writes need the token" if config.token else "reads only (no --token)"
    click.echo(f"newsloom serving {ctx.obj['db_path']} on http://{host}:{port}/ (API docs at /docs; {writes})")
    uvicorn.run(create_app(ctx.obj["db_path"], config), host=host, port=port, log_level="warning")


# ---------------------------------------------------------------- feeds and follow


@cli.group(invoke_without_command=True)
@click.pass_context
def feeds(ctx):
    """List the subscribed feeds: outlet, last poll, items, last error, next poll."""
    if ctx.invoked_subcommand is not None:
        return
    store = open_store(ctx.find_root())
    found = store.feeds()
    if not found:
        click.echo("no feeds yet: add one with 'newsloom feeds add URL' or 'newsloom feeds import FILE.opml'")
    for feed in found:
        click.echo(f"#{feed.id} {feed.title or '(title not known yet)'} — {feed.url}")
        polled = f"last poll {feed.last_poll}: {feed.last_status}" if feed.last_poll else "not polled yet"
        held = f" ({feed.held_items} with the feed's text only)" if feed.held_items else ""
        click.echo(f"   {polled} · {feed.items} items{held} · next poll {feed.next_poll or 'next round'}")
        if feed.last_error:
            click.echo(f"   error ({feed.failures} in a row, backing off): {feed.last_error}")
        for item in store.feed_item_notes(feed.id):
            retry = f" (retry after {item.retry_at})" if item.retry_at else ""
            click.echo(f"   {item.state}: {item.id}: {item.note or 'page not fetched yet'}{retry}")


@feeds.command("add")
@click.argument("urls", nargs=-1, required=True)
@click.pass_context
def feeds_add(ctx, urls):
    """Subscribe to feeds (RSS or Atom addresses)."""
    from .feeds import feed_url

    store = open_store(ctx.find_root())
    checked = [feed_url(url) for url in urls]  # all or none
    for url in checked:
        click.echo(("added " if store.add_feed(url) else "already there: ") + url)


@feeds.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.pass_context
def feeds_import(ctx, path):
    """Subscribe to every feed of an OPML file (as feed readers export them)."""
    from .errors import InputError
    from .feeds import feed_url, read_opml

    store = open_store(ctx.find_root())
    with open(path, "rb") as handle:
        found = read_opml(handle.read(), path)
    added = skipped = 0
    for url, title in found:
        try:
            added += store.add_feed(feed_url(url), title)
        except InputError as error:
            click.echo(f"skipped: {error.message}", err=True)
            skipped += 1
    click.echo(f"{len(found)} feeds in {path}: {added} added, {len(found) - added - skipped} already there, "
               f"{skipped} skipped")
    if skipped:
        ctx.exit(EXIT_SKIPPED)


@feeds.command("export")
@click.pass_context
def feeds_export(ctx):
    """Write the subscriptions as OPML (for a feed reader) to standard output."""
    from .feeds import write_opml

    click.echo(write_opml(open_store(ctx.find_root()).feeds()), nl=False)


@feeds.command("remove")
@click.argument("url")
@click.pass_context
def feeds_remove(ctx, url):
    """Unsubscribe from a feed (its articles stay in the store)."""
    open_store(ctx.find_root()).remove_feed(url.strip())
    click.echo(f"removed {url}")


@cli.command()
@click.option("--interval", type=click.FloatRange(min=60), default=900, show_default=True,
              help="Seconds between poll rounds (at least 60).")
@click.option("--once", is_flag=True, help="Poll each feed once and exit (for cron and tests).")
@click.option("--allow-private", is_flag=True,
              help="Also fetch loopback, private and link-local addresses (only for trusted internal feeds).")
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Seconds between two requests to the same host.")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=20.0, show_default=True,
              help="Seconds allowed for one request.")
@click.option("--batch-size", type=int, default=256, show_default=True, help="Articles written per transaction.")
@click.pass_context
def follow(ctx, interval, once, allow_private, delay, timeout, batch_size):
    """Poll the feeds, fetch each new item's page politely and add it to the stories."""
    import signal
    import threading

    from .errors import InputError
    from .fetch import FetchConfig
    from .follow import Follower, FollowConfig
    from .pipeline import Pipeline, PipelineConfig

    store = open_store(ctx)
    if not store.feeds():
        raise InputError("no feeds to follow", "add one with 'newsloom feeds add URL' or 'newsloom feeds import FILE'")
    config = FollowConfig(interval=interval, fetch=FetchConfig(allow_private=allow_private, host_delay=delay,
                                                               timeout=timeout))
    stop = threading.Event()

    def on_signal(signum, frame):
        if not stop.is_set():
            click.echo("stopping after the current batch…", err=True)
        stop.set()

    errors = []

    def on_poll(report):
        errors.append(report.errors)
        click.echo(f"{utc_now()} {report.line()}; "
                   f"{store.count('articles')} articles in {store.count('stories')} stories")

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        pipeline = Pipeline(store, PipelineConfig(batch_size=batch_size),
                            on_skip=lambda s: click.echo(f"skipped: {s.path}: {s.reason}", err=True))
        Follower(store, pipeline, config, stop=stop).run(once=once, on_poll=on_poll)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if once and errors and errors[-1]:
        ctx.exit(EXIT_SKIPPED)


def main() -> None:
    cli(prog_name="newsloom")


if __name__ == "__main__":
    main()
