"""Executes one prepared notebook inside the sandbox and streams each cell's outputs back.

Run by autograder.sandbox as ``python -I -m autograder.worker``. Reads a JSON job on stdin::

    {"notebook": {...}, "timeout": 60, "grace": 10, "output_limit": 100000,
     "kernel": {...limits for autograder.kernel...}}

and writes one JSON line per event to its *private* copy of stdout (fd 1 itself points at /dev/null
before the kernel starts, so the kernel cannot forge results)::

    {"type": "cell", "index": i, "outputs": [...], "execution_count": n, "timed_out": bool}
    {"type": "dead", "index": i}            the kernel died while running cell i
    {"type": "unresponsive", "index": i}    cell i timed out and the kernel ignored the interrupt
    {"type": "done"} | {"type": "error", "message": "..."}

The kernel is an ordinary ipykernel started through autograder.kernel (limits, unprivileged user);
nbclient drives it, with a per-cell timeout, interrupt on timeout and a per-cell output cap.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import tempfile


def _size(content: dict) -> int:
    if "text" in content:
        return len(content.get("text") or "")
    data = content.get("data") or {}
    return sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in data.values())


def make_client(nb, km, cfg):
    from nbclient import NotebookClient

    class GradingClient(NotebookClient):
        """nbclient with a per-cell output budget and a record of timeouts."""

        timed_out = False

        def output(self, outs, msg, display_id, cell_index):
            kind = msg["msg_type"]
            if kind not in ("stream", "display_data", "execute_result", "update_display_data"):
                return super().output(outs, msg, display_id, cell_index)
            budget = "text" if kind == "stream" else "rich"
            limit = cfg["output_limit"] if budget == "text" else cfg.get("rich_limit", cfg["output_limit"])
            used = self._ag_used.get((cell_index, budget), 0)
            size = _size(msg.get("content", {}))
            total = self._ag_used.get("notebook", 0)  # the notebook's budget, across all its cells
            if total + size > cfg.get("notebook_limit", float("inf")):
                limit, used = 0, 0
            if used + size <= limit:
                self._ag_used[(cell_index, budget)] = used + size
                self._ag_used["notebook"] = total + size
                return super().output(outs, msg, display_id, cell_index)
            key = (cell_index, msg["content"].get("name", budget))
            if key in self._ag_cut:
                return None
            self._ag_cut.add(key)
            self._ag_used[(cell_index, budget)] = limit
            note = f"\n... output truncated by the autograder (limit {limit} characters per cell) ...\n"
            if limit == 0:
                note = f"\n... output truncated by the autograder (limit {cfg['notebook_limit']} characters per notebook) ...\n"
            cut = copy.deepcopy(msg)
            if kind == "stream":
                cut["content"]["text"] = msg["content"]["text"][: max(limit - used, 0)] + note
            else:
                cut["msg_type"] = "stream"
                cut["header"] = dict(cut["header"], msg_type="stream")
                cut["content"] = {"name": "stdout", "text": note}
            return super().output(outs, cut, None, cell_index)

        async def _async_handle_timeout(self, timeout, cell=None):
            self.timed_out = True
            return await super()._async_handle_timeout(timeout, cell)

    client = GradingClient(
        nb,
        km=km,
        timeout=cfg["timeout"],
        startup_timeout=cfg.get("startup_timeout", 60),
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={
            "ename": "CellTimeoutError",
            "evalue": f"the cell did not finish within {cfg['timeout']} s",
            "traceback": [f"CellTimeoutError: the cell did not finish within {cfg['timeout']} s"],
        },
        record_timing=False,
        shutdown_kernel="immediate",
        iopub_timeout=4,
        raise_on_iopub_timeout=False,
        kernel_name="grader",
    )
    client._ag_used, client._ag_cut = {}, set()
    return client


def run(cfg: dict, emit) -> None:
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from nbclient.exceptions import DeadKernelError

    nb = nbformat.from_dict(cfg["notebook"])
    spec_root = tempfile.mkdtemp(prefix="kernels-")
    os.makedirs(os.path.join(spec_root, "grader"))
    kernel_cfg = cfg["kernel"]
    argv = [sys.executable, "-I", "-m", "autograder.kernel", json.dumps(kernel_cfg), "{connection_file}"]
    with open(os.path.join(spec_root, "grader", "kernel.json"), "w") as fh:
        json.dump({"argv": argv, "display_name": "grader", "language": "python"}, fh)
    ksm = KernelSpecManager(kernel_dirs=[spec_root], ensure_native_kernel=False)
    km = AsyncKernelManager(kernel_name="grader", kernel_spec_manager=ksm)
    client = make_client(nb, km, cfg)

    with client.setup_kernel(cwd=kernel_cfg.get("cwd", "/tmp")):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            client.timed_out = False
            client._ag_used.pop((index, "text"), None)
            client._ag_used.pop((index, "rich"), None)
            try:
                client.execute_cell(cell, index)
            except DeadKernelError:
                emit(type="dead", index=index, outputs=cell.get("outputs", []))
                return
            timed_out = client.timed_out
            if timed_out and not any(o.get("ename") == "CellTimeoutError" for o in cell.outputs):
                cell.outputs.append(nbformat.from_dict({"output_type": "error", **client.error_on_timeout}))
            emit(
                type="cell",
                index=index,
                outputs=cell.outputs,
                execution_count=cell.get("execution_count"),
                timed_out=timed_out,
            )
            if timed_out:
                probe = nbformat.v4.new_code_cell("pass")
                client.timed_out = False
                client.timeout = cfg.get("grace", 10)
                try:
                    client.execute_cell(probe, index)
                except DeadKernelError:
                    emit(type="dead", index=index + 1)
                    return
                client.timeout = cfg["timeout"]
                if client.timed_out:
                    emit(type="unresponsive", index=index)
                    return
    emit(type="done")


def main() -> None:
    raw = sys.stdin.buffer.read()
    private = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)

    def emit(**msg) -> None:
        private.write(json.dumps(msg) + "\n")
        private.flush()

    try:
        run(json.loads(raw), emit)
    except Exception as err:  # reported to the parent, which records it as a problem
        emit(type="error", message=f"{type(err).__name__}: {err}"[:2000])
    finally:
        private.flush()


if __name__ == "__main__":
    main()
