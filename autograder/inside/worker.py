"""Executes one prepared notebook inside the sandbox and streams each cell's outputs back.

Run by autograder.isolate.driver as ``python -I -m autograder.inside.worker``. Reads a JSON job on stdin::

    {"notebook": {...}, "timeout": 60, "grace": 10, "output_limit": 100000,
     "kernel": {...limits for autograder.inside.kernel...}}

and writes one JSON line per event to its *private* copy of stdout (fd 1 itself points at /dev/null
before the kernel starts, so the kernel cannot forge results)::

    {"type": "cell", "index": i, "outputs": [...], "execution_count": n, "timed_out": bool}
    {"type": "dead", "index": i}            the kernel died while running cell i
    {"type": "unresponsive", "index": i}    cell i timed out and the kernel ignored the interrupt
    {"type": "done"} | {"type": "error", "message": "..."}

The kernel is an ordinary ipykernel started through autograder.inside.kernel (limits, unprivileged user);
nbclient drives it, with a per-cell timeout, interrupt on timeout and a per-cell output cap.

Graded test cells arrive as empty stubs (autograder.run.trusted): with ``"evaluator_fds": [r, w]`` in
the job, the worker asks the evaluator (a sibling sandbox, over those two pipes) to run the test,
and relays the evaluator's requests to the kernel (:class:`TestServer`) until it says ``done``. The
event for a test cell then holds only what the student's code printed meanwhile, up to the first call
made by a hidden check: from there to the test's end nothing the kernel prints is kept (a fixed note
says so).
"""

from __future__ import annotations

import copy
import json
import os
import sys
import tempfile

HIDDEN_OUTPUT_NOTE = (
    "Output of your code during the hidden checks of this test is not shown (hidden checks stay hidden).\n"
)


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


class EvaluatorLink:
    """The worker's end of the pipes to the trusted evaluator (a sibling sandbox)."""

    def __init__(self, read_fd: int, write_fd: int):
        for fd in (read_fd, write_fd):
            os.set_inheritable(fd, False)  # the kernel must never get them
        self.rfile = os.fdopen(read_fd, "r", encoding="utf-8", newline="\n")
        self.wfile = os.fdopen(write_fd, "w", encoding="utf-8", newline="\n")

    def send(self, msg) -> None:
        self.wfile.write((msg if isinstance(msg, str) else json.dumps(msg)) + "\n")
        self.wfile.flush()

    def recv(self) -> tuple[str, dict]:
        line = self.rfile.readline()
        if not line:
            raise EOFError("the evaluator stopped")
        return line.rstrip("\n"), json.loads(line)

    def close(self) -> None:
        try:
            self.send({"op": "end"})
        except OSError:
            pass


class TestServer:
    """Serves the evaluator's calls of student functions in the student's kernel, one test at a time.

    The kernel runs ``autograder.inside.agent.serve``; its answers arrive as ``input()`` prompts and the
    evaluator's next message is the reply. Each message of the evaluator carries the seconds its call
    has left (``"budget"``, one budget for the call and its callbacks, see autograder.inside.evaluator);
    the kernel gets that long to answer it (never more than the cell timeout). A call out of time is
    interrupted, a kernel that dies or ignores the interrupt answers every later call with "lost".
    A message marked ``"hidden"`` starts the test's hidden part: what the kernel prints from then
    on is dropped.
    """

    def __init__(self, km, link: EvaluatorLink, cfg: dict):
        from jupyter_client.blocking import BlockingKernelClient

        self.km, self.link, self.cfg = km, link, cfg
        self.kc = BlockingKernelClient()
        self.kc.load_connection_info(km.get_connection_info())
        self.kc.start_channels(hb=False)
        self.broken = ""  # why the kernel can no longer answer (dead | unresponsive)
        self.text_used = 0  # characters of the kernel's output kept for the current test
        self.withhold = False  # the current test reached its hidden checks: the kernel's output is dropped
        self.idle_seen: set = set()  # requests whose output is complete
        self.max_prompt = cfg.get("message_limit", 100 * 1024 * 1024)

    def _alive(self) -> bool:
        from nbclient.util import run_sync

        return bool(run_sync(self.km.is_alive)())

    def _wait(self, mine: set, seconds: float, texts: list):
        """Next ('input', prompt) | ('reply', None) | ('timeout', None) | ('dead', None) from the kernel."""
        import queue
        import time

        import zmq

        poller = zmq.Poller()
        for ch in (self.kc.stdin_channel, self.kc.shell_channel, self.kc.iopub_channel):
            poller.register(ch.socket, zmq.POLLIN)
        deadline = time.monotonic() + seconds
        check = time.monotonic() + 1.0
        while True:
            now = time.monotonic()
            if now >= deadline:
                return "timeout", None
            if now >= check:
                check = now + 1.0
                if not self._alive():
                    return "dead", None
            ready = dict(poller.poll(int(1000 * min(deadline - now, check - now, 1.0)) + 1))
            if self.kc.iopub_channel.socket in ready:
                self._drain_iopub(mine, texts)
            if self.kc.stdin_channel.socket in ready:
                msg = self.kc.stdin_channel.get_msg(timeout=0)
                if msg["header"]["msg_type"] == "input_request":
                    return "input", str(msg["content"].get("prompt", ""))
            if self.kc.shell_channel.socket in ready:
                try:
                    msg = self.kc.shell_channel.get_msg(timeout=0)
                except queue.Empty:
                    continue
                parent = msg.get("parent_header", {}).get("msg_id")
                if parent in mine:
                    self._drain_iopub(mine, texts, until_idle=parent)
                    return "reply", None

    def _drain_iopub(self, mine: set, texts: list, until_idle: str | None = None) -> None:
        """Collect the kernel's output of our requests: what is queued, or up to ``until_idle``'s end.

        The kernel publishes "idle" for a request after all of that request's output, so waiting for
        it (bounded by the grace time: a hostile kernel may never send it) loses nothing and costs no
        fixed delay per call.
        """
        import queue
        import time

        deadline = time.monotonic() + min(self.cfg.get("grace", 10), 4)
        while until_idle not in self.idle_seen:
            wait = max(deadline - time.monotonic(), 0.0) if until_idle else 0.0
            try:
                msg = self.kc.iopub_channel.get_msg(timeout=wait)
            except queue.Empty:
                return
            parent = msg.get("parent_header", {}).get("msg_id")
            if parent not in mine:
                continue
            kind, content = msg["header"]["msg_type"], msg.get("content", {})
            if kind == "status" and content.get("execution_state") == "idle":
                self.idle_seen.add(parent)  # may come before the shell reply is read
                continue
            if self.withhold:
                continue
            if kind == "stream":
                text = str(content.get("text", ""))
            elif kind == "error":
                text = f"{content.get('ename', 'Error')}: {content.get('evalue', '')}\n"
            elif kind in ("display_data", "execute_result", "update_display_data"):
                text = "[a display output of your code is not shown here]\n"
            else:
                continue
            if self.text_used <= self.cfg["output_limit"]:  # one character past the limit marks a cut
                texts.append(text[: self.cfg["output_limit"] + 1 - self.text_used])
                self.text_used += len(texts[-1])

    def _stop_call(self, mine: set, texts: list) -> str:
        """Interrupt a call that timed out; '' if the kernel came back, else why it did not."""
        import time

        from nbclient.util import run_sync

        run_sync(self.km.interrupt_kernel)()
        deadline = time.monotonic() + self.cfg.get("grace", 10)  # one grace, whatever the kernel asks
        while True:
            event, _ = self._wait(mine, max(deadline - time.monotonic(), 0.0), texts)
            if event == "reply":
                return ""
            if event == "input":
                self.kc.input(json.dumps({"op": "done"}))
                continue
            return "dead" if event == "dead" else "unresponsive"

    def _seconds(self, msg: dict) -> float:
        """How long the kernel may take to answer ``msg``: its call's budget left, at most the timeout."""
        budget = msg.get("budget")
        if type(budget) in (int, float) and budget == budget:
            return min(max(float(budget), 0.0), float(self.cfg["timeout"]))
        return float(self.cfg["timeout"])

    def run_test(self, grade_id: str) -> tuple[list, str]:
        """Let the evaluator run test ``grade_id``; returns the kernel's text output and its state."""
        mine: set = set()
        texts: list = []
        self.text_used = 0
        self.withhold = False
        self.link.send({"op": "test", "grade_id": grade_id})
        waiting_input = False
        while True:
            raw, msg = self.link.recv()
            if msg.get("hidden") is True:
                self.withhold = True  # before the kernel sees the hidden call
            if msg.get("op") == "done":
                if waiting_input:
                    self.kc.input(json.dumps({"op": "done"}))
                    event, _ = self._wait(mine, self.cfg.get("grace", 10), texts)
                    if event != "reply":
                        self.broken = self.broken or ("dead" if event == "dead" else "unresponsive")
                break
            if self.broken:
                self.link.send({"op": "lost", "reason": f"the student's kernel is {self.broken}"})
                continue
            seconds = self._seconds(msg)
            out_of_time = f"the call did not finish within {self.cfg['timeout']} s (the cell's calls of your code, callbacks included)"
            if seconds <= 0:  # the call's budget is spent (the evaluator refused a callback): stop it
                if waiting_input:
                    self.broken = self._stop_call(mine, texts)
                waiting_input = False
                self.link.send({"op": "lost", "reason": out_of_time})
                continue
            if waiting_input:
                self.kc.input(raw)
            else:
                code = f"__import__('autograder.inside.agent', fromlist=['serve']).serve({raw!r})"
                mine.add(self.kc.execute(code, store_history=False, allow_stdin=True, stop_on_error=False))
            waiting_input = False
            event, prompt = self._wait(mine, seconds, texts)
            if event == "input":
                if len(prompt) <= self.max_prompt and "\n" not in prompt and "\r" not in prompt:
                    self.link.send(prompt)
                    waiting_input = True
                    continue
                self.kc.input(json.dumps({"op": "done"}))
                event, _ = self._wait(mine, self.cfg.get("grace", 10), texts)
                reason = "the student's code sent an answer that is too large or malformed"
            elif event == "reply":
                reason = "the student's code ended the call without an answer"
            elif event == "timeout":
                reason = out_of_time
                self.broken = self._stop_call(mine, texts)
            else:
                reason = "the student's kernel died during the call"
                self.broken = "dead"
            self.link.send({"op": "lost", "reason": reason})
        import nbformat

        text = "".join(texts)
        outputs = []
        if text:
            limit = self.cfg["output_limit"]
            if len(text) > limit:
                text = (
                    text[:limit]
                    + f"\n... output truncated by the autograder (limit {limit} characters) ...\n"
                )
            outputs.append(
                nbformat.v4.new_output(
                    "stream", name="stdout", text="Output of your code during this test:\n" + text
                )
            )
        if self.withhold:
            outputs.append(nbformat.v4.new_output("stream", name="stdout", text=HIDDEN_OUTPUT_NOTE))
        return outputs, self.broken


def is_test_stub(cell) -> bool:
    return (cell.get("metadata", {}).get("autograder") or {}).get("role") == "test"


def run(cfg: dict, emit) -> None:
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    nb = nbformat.from_dict(cfg["notebook"])
    spec_root = tempfile.mkdtemp(prefix="kernels-")
    os.makedirs(os.path.join(spec_root, "grader"))
    kernel_cfg = cfg["kernel"]
    argv = [
        sys.executable,
        "-I",
        "-m",
        "autograder.inside.kernel",
        json.dumps(kernel_cfg),
        "{connection_file}",
    ]
    with open(os.path.join(spec_root, "grader", "kernel.json"), "w") as fh:
        json.dump({"argv": argv, "display_name": "grader", "language": "python"}, fh)
    ksm = KernelSpecManager(kernel_dirs=[spec_root], ensure_native_kernel=False)
    km = AsyncKernelManager(kernel_name="grader", kernel_spec_manager=ksm)
    client = make_client(nb, km, cfg)

    fds = cfg.get("evaluator_fds")
    link = EvaluatorLink(*fds) if fds else None
    try:
        _execute(nb, client, km, cfg, emit, link)
    finally:
        if link is not None:
            link.close()


def _execute(nb, client, km, cfg, emit, link) -> None:
    import nbformat
    from nbclient.exceptions import DeadKernelError

    server = None
    kernel_cfg = cfg["kernel"]
    with client.setup_kernel(cwd=kernel_cfg.get("cwd", "/tmp")):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if link is not None and is_test_stub(cell):
                server = server or TestServer(km, link, cfg)
                outputs, broken = server.run_test(cell.metadata["autograder"]["grade_id"])
                emit(type="cell", index=index, outputs=outputs, execution_count=None, timed_out=False)
                if broken:
                    emit(type=broken, index=index + 1)
                    return
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


def private_channel():
    """The job read from stdin, and ``emit(**msg)``: one JSON line on a private copy of stdout.

    stdin and stdout then point at /dev/null, so nothing the sandboxed code prints or reads reaches
    the parent as a result line (used by this worker and by autograder.inside.evaluator).
    """
    raw = sys.stdin.buffer.read()
    private = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)

    def emit(**msg) -> None:
        private.write(json.dumps(msg) + "\n")
        private.flush()

    return raw, emit


def main() -> None:
    raw, emit = private_channel()
    try:
        run(json.loads(raw), emit)
    except Exception as err:  # reported to the parent, which records it as a problem
        emit(type="error", message=f"{type(err).__name__}: {err}"[:2000])


if __name__ == "__main__":
    main()
