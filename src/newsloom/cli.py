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
from .store import MAX_ROWID, Store

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


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--max-file-bytes", type=int, default=20_000_000, show_default=True,
              help="Largest page (after decompression) read as one article.")
@click.option("--batch-size", type=int, default=256, show_default=True, help="Articles written per transaction.")
@click.pass_context
def ingest(ctx, paths, max_file_bytes, batch_size):
    """Read files or folders of articles (text, HTML, RSS/Atom, JSON Lines, WARC) into the store."""
    from tqdm import tqdm

    from .ingest import IngestConfig
    from .pipeline import Pipeline, PipelineConfig

    config = PipelineConfig(ingest=IngestConfig(max_file_bytes=max_file_bytes), batch_size=batch_size)
    store = open_store(ctx)
    with tqdm(desc="ingest", unit=" articles", file=sys.stderr, disable=None, leave=False) as bar:
        pipeline = Pipeline(store, config, on_progress=bar.update,
                            on_skip=lambda s: tqdm.write(f"skipped: {printable(s.path)}: {printable(s.reason)}",
                                                         file=sys.stderr))
        report = pipeline.ingest(paths, command="ingest " + " ".join(paths))
    counts = report.counts
    click.echo(f"read {counts['read']}, new {counts['new']}, updated {counts['updated']}, "
               f"unchanged {counts['unchanged']}, copies {counts['copies']}, skipped {len(report.skipped)}; "
               f"{store.count('articles')} articles in {store.count('stories')} stories")
    if report.skipped:
        ctx.exit(EXIT_SKIPPED)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--query", help="Only stories with an article matching these words (full-text search).")
@click.pass_context
def stories(ctx, as_json, limit, query):
    """List stories, newest first."""
    found = open_store(ctx).stories(limit=limit, query=query)
    if as_json:
        click.echo(json.dumps([asdict(s) for s in found], indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo("no stories yet: ingest some articles with 'newsloom ingest PATH'")
    for s in found:
        span = f"{s.first_date or '?'} → {s.last_date or '?'}"
        click.echo(f"#{s.id:<5} {s.articles:>3} articles  {s.outlets:>2} outlets  {span:<24}  {printable(s.headline)}")


@cli.command()
@click.argument("story_id", type=click.IntRange(1, MAX_ROWID))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def story(ctx, story_id, as_json):
    """Show one story: its articles and the comparison of its sources."""
    from .report import build_report, report_to_dict
    from .render import render_story_text

    report = build_report(open_store(ctx), story_id)
    if as_json:
        click.echo(json.dumps(report_to_dict(report), indent=2, ensure_ascii=False))
    else:
        click.echo(render_story_text(printable_all(report)))  # a name cannot forge a line


@cli.group()
def export():
    """Export the store."""


EXPORT_FIELDS = ("id", "story", "source", "title", "published", "url", "duplicate_of", "copy_kind", "copy_score",
                 "dateline", "author", "language", "text")


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
        if isinstance(item, Skipped):
            click.echo(f"skipped: {printable(item.path)}: {printable(item.reason)}", err=True)
            skipped += 1
            continue
        article = cleaner.clean(item)
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
    store.article(article_id)  # raises NotFound with a fix
    group = store.copy_group(article_id)
    if as_json:
        click.echo(json.dumps(group, indent=2, ensure_ascii=False))
        return
    if len(group) == 1:
        click.echo(f"{printable(article_id)} has no known copies and copies nothing known.")
        return
    for member in group:
        role = "original" if member["duplicate_of"] is None else f"{member['copy_kind']} copy, score {member['copy_score']:.2f}"
        click.echo(f"{printable(member['id'])}  [{printable(member['source']) or 'unknown outlet'}, "
                   f"{printable(member['published']) or 'no date'}]  {role}")
        cited = sorted({c["name"] for c in store.citations(member["id"])})
        if cited:
            click.echo(f"    cites: {printable(', '.join(cited))}")


@cli.command()
@click.argument("article_id")
@click.pass_context
def why(ctx, article_id):
    """Why an article is in its story: the score and what it shares with the story."""
    store = open_store(ctx)
    article = store.article(article_id)
    assignment = store.assignment(article_id)
    if assignment is None:
        click.echo(f"{printable(article_id)} is in no story yet.")
        return
    headline = store.story(assignment["story_id"]).headline
    click.echo(f"{printable(article_id)} → story #{assignment['story_id']} ({printable(headline)})")
    click.echo(f"  {printable(assignment['reason'])}")
    if assignment["shared_terms"]:
        click.echo(f"  shared: {printable(', '.join(assignment['shared_terms']))}")
    if article["duplicate_of"]:
        click.echo(f"  copy of {printable(article['duplicate_of'])} ({article['copy_kind']}, {article['copy_score']:.2f})")


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
    store = open_store(ctx)
    orphans = store.delete_article(article_id)
    click.echo(f"deleted {printable(article_id)}" + (f"; {len(orphans)} former copies are now originals" if orphans else ""))


@cli.command()
@click.pass_context
def runs(ctx):
    """List ingest runs with their counts."""
    for run in open_store(ctx).runs():
        click.echo(f"#{run['id']} {run['started_at']} {run['status']}: {printable(run['command'][:60])} "
                   f"{json.dumps(run['counts'])}")


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

    from .serve import ServeConfig, create_app

    config = ServeConfig(host=host, token=token or None, allowed_hosts=allowed_hosts, max_body_bytes=max_body_bytes)
    open_store(ctx)  # the database opens (and migrates) before the server starts, or fails here
    writes = "writes need the token" if config.token else "reads only (no --token)"
    click.echo(f"newsloom serving {ctx.obj['db_path']} on http://{host}:{port}/ (API docs at /docs; {writes})")
    uvicorn.run(create_app(ctx.obj["db_path"], config), host=host, port=port, log_level="warning")


def main() -> None:
    cli(prog_name="newsloom")


if __name__ == "__main__":
    main()
