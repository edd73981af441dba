"""``nexus gpu``: the vLLM serving command and the Kubernetes manifests of the scaled-out deployment."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    gpu = typer.Typer(help="GPU serving (vLLM) and scale-out manifests.", no_args_is_help=True)
    app.add_typer(gpu, name="gpu")

    @gpu.command("serve-config")
    def serve_config(
        model: str = typer.Option("/models/Llama-3.1-8B-Instruct", help="Weights folder on the GPU host."),
        served_name: str = typer.Option("llama-3.1-8b-instruct", help="Model name clients request."),
        tp: int = typer.Option(1, "--tp", help="Tensor parallelism: GPUs per replica."),
        max_model_len: int = typer.Option(16_384, help="Context window (tokens)."),
        gpu_memory_utilization: float = typer.Option(0.90, help="Share of GPU memory vLLM may use."),
        max_num_seqs: int = typer.Option(64, help="Most sequences batched together."),
        port: int = typer.Option(8001, help="Port vLLM listens on."),
        k8s: bool = typer.Option(False, "--k8s", help="Also print the Kubernetes Deployment and Service."),
    ) -> None:
        """Print the exact `vllm serve` command (and with --k8s its manifest) for a Llama 3.x instruct model."""
        from erp_core.errors import NexusError
        from gpu.k8s import DeploymentConfig, to_yaml, vllm_manifests
        from gpu.serve_config import VLLMServeConfig

        try:
            cfg = VLLMServeConfig(model=model, served_model_name=served_name, tensor_parallel_size=tp,
                                  max_model_len=max_model_len, gpu_memory_utilization=gpu_memory_utilization,
                                  max_num_seqs=max_num_seqs, port=port)
        except NexusError as exc:
            for issue in exc.issues:
                typer.echo(f"error: {issue.field}: {issue.message}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"# vLLM command (the API key, if any, comes from ${cfg.api_key_env}):")
        typer.echo(cfg.command())
        typer.echo("# Nexus API worker settings for this server:")
        for key, value in cfg.nexus_env(service_host="<vllm-host>").items():
            typer.echo(f"{key}={value}")
        if k8s:
            typer.echo("---")
            typer.echo(to_yaml(vllm_manifests(DeploymentConfig(vllm=cfg))), nl=False)

    @gpu.command("manifests")
    def manifests(
        out: Path | None = typer.Option(None, help="Write nexus.yaml into this folder instead of stdout."),
        tp: int = typer.Option(1, "--tp", help="Tensor parallelism of the vLLM replica."),
        api_replicas: int = typer.Option(3, help="API pods (the autoscaler's minimum)."),
    ) -> None:
        """Every Kubernetes object of the scaled-out deployment (API, migration Job, relay, vLLM, store names)."""
        from gpu.k8s import DeploymentConfig, render_all, to_yaml
        from gpu.serve_config import VLLMServeConfig

        text = to_yaml(render_all(DeploymentConfig(api_replicas=api_replicas,
                                                   vllm=VLLMServeConfig(tensor_parallel_size=tp))))
        if out is None:
            typer.echo(text, nl=False)
            return
        out.mkdir(parents=True, exist_ok=True)
        (out / "nexus.yaml").write_text(text)
        typer.echo(f"wrote {out / 'nexus.yaml'}", err=True)
