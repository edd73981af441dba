"""``nexus index PATH``: index the documents listed by the manifests under PATH (incremental, with progress).

``nexus index FOLDER --tenant T --groups g1,g2`` also indexes the PDF, DOCX, Markdown, HTML and text files under
FOLDER that no manifest lists, as documents of tenant T readable by the groups given (titles from the documents).
"""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def index(
        path: Path = typer.Argument(..., help="Folder with manifest.yaml files (e.g. retrieval/corpus), or any folder "
                                              "of documents with --tenant and --groups."),
        tenant: str | None = typer.Option(None, "--tenant", help="Index the files no manifest lists as documents "
                                                                 "of this tenant."),
        groups: str | None = typer.Option(None, "--groups", help="With --tenant: comma-separated ACL groups that "
                                                                 "may read those documents, e.g. finance,all."),
        rebuild: bool = typer.Option(False, "--rebuild", help="Re-index every document, changed or not."),
        no_content: bool = typer.Option(False, "--no-content", help="Skip the content store (vectors only)."),
    ) -> None:
        """Convert, split, embed and write documents to the vector store; unchanged ones are skipped."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from erp_core.errors import NexusError
        from retrieval.indexing.folder import folder_documents
        from retrieval.indexing.manifest import find_manifests, load_documents
        from retrieval.indexing.pipeline import index_corpus
        from retrieval.stores import open_stores
        from server.retrieval_wiring import retrieval_config
        from server.settings import Settings

        if (tenant is None) != (groups is None):
            raise typer.BadParameter("--tenant and --groups go together", param_hint="--groups")
        documents = None
        try:
            if tenant is not None and groups is not None:
                documents = load_documents(path) if path.is_dir() and find_manifests(path) else []
                documents += folder_documents(path, tenant, [g.strip() for g in groups.split(",") if g.strip()])
        except NexusError as exc:
            typer.echo(f"error: {exc}", err=True)
            for issue in exc.issues:
                typer.echo(f"  - {issue.field or ''}: {issue.message}", err=True)
            raise typer.Exit(1) from exc
        settings = Settings()
        try:
            stores = open_stores(retrieval_config(settings), graph=False, content=not no_content)
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
                                      device=settings.embedding_device, rebuild=rebuild, progress=progress,
                                      documents=documents)
        except NexusError as exc:
            typer.echo(f"error: {exc}", err=True)
            for issue in exc.issues:
                typer.echo(f"  - {issue.field or ''}: {issue.message}", err=True)
            raise typer.Exit(1) from exc
        finally:
            stores.close()
        typer.echo(report.summary())
