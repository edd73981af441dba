"""``nexus index PATH``: index the documents listed by the manifests under PATH (incremental, with progress)."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def index(
        path: Path = typer.Argument(..., help="Folder with manifest.yaml files (e.g. retrieval/corpus)."),
        rebuild: bool = typer.Option(False, "--rebuild", help="Re-index every document, changed or not."),
        no_content: bool = typer.Option(False, "--no-content", help="Skip the content store (vectors only)."),
    ) -> None:
        """Convert, split, embed and write documents to the vector store; unchanged ones are skipped."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from erp_core.errors import NexusError
        from retrieval.indexing.pipeline import index_corpus
        from retrieval.stores import open_stores
        from server.settings import Settings

        settings = Settings()
        try:
            stores = open_stores(settings, graph=False, content=not no_content)
        except NexusError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        try:
            with Progress(TextColumn("[bold]indexing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          TextColumn("{task.description}")) as bar:
                task = bar.add_task("", total=None)

                def progress(done: int, total: int, doc_id: str) -> None:
                    bar.update(task, completed=done, total=total, description=doc_id)

                report = index_corpus(path, stores.vector, stores.content, model_path=settings.embedding_model_path,
                                      device=settings.embedding_device, rebuild=rebuild, progress=progress)
        except NexusError as exc:
            typer.echo(f"error: {exc}", err=True)
            for issue in exc.issues:
                typer.echo(f"  - {issue.field or ''}: {issue.message}", err=True)
            raise typer.Exit(1) from exc
        finally:
            stores.close()
        typer.echo(report.summary())
