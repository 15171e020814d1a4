"""roleswitch's benchmarks: `python -m benchmarks [--quick | --smoke] [--no-peers] [--json PATH]`.

Every target is a ratio measured in the same run, because machines are noisy:
roleswitch against a baseline that does the least possible work of the same
kind. Each measurement is repeated, alternating the two sides, and the median
(or the p95 where the target says so) is reported. The peers (awsume and the
AWS CLI) are installed into their own venv, `benchmarks/.peers`, never into
the project's dependencies.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks import assume_scale, fast_paths, keys_wall, large, memory_typed, sessions, stalls
from benchmarks.org import account_id, org_environment, write_org

HERE = Path(__file__).resolve().parent
PEERS = HERE / ".peers"
PEER_PACKAGES = ("awsume", "awscli")
FRAME_60HZ = 1 / 60
START_KINDS = ("minimal", "roleswitch")
# --only's names, in the order the rows run.
STEPS = (
    "status",
    "start",
    "filter",
    "idle",
    "assume",
    "credentials",
    "catalogue",
    "serve",
    "sso-discovery",
    "sso-start",
    "assume-scale",
    "palette",
    "credential-process",
    "status-settings",
    "start-after-edit",
    "stalls",
    "keys-wall",
    "memory-typed",
    "start-sessions",
    "keys-sessions",
    "start-100k",
)
# Rows a --quick run leaves out unless --only names them.
NOT_QUICK = frozenset({"start-100k"})


class Bench:
    def __init__(self, quick: bool, peers: bool, smoke: bool = False) -> None:
        self.quick = quick or smoke
        self.smoke = smoke
        self.peers = peers
        self.rows: list[dict] = []
        self.work = Path(tempfile.mkdtemp(prefix="roleswitch-bench-"))
        self.orgs: dict[int, Path] = {}
        self.script = Path(sys.executable).with_name("roleswitch")
        self.moto_url = ""

    # --- helpers ------------------------------------------------------------------

    def org(self, size: int) -> Path:
        if size not in self.orgs:
            home = write_org(self.work / f"org-{size}", size)
            _write_active_session(home)
            self.orgs[size] = home
        return self.orgs[size]

    def env(self, size: int, **extra: str) -> dict[str, str]:
        env = org_environment(self.org(size))
        if self.moto_url:
            env["AWS_ENDPOINT_URL_STS"] = self.moto_url
        env.update(extra)
        return env

    def runs(self, full: int, quick: int) -> int:
        """Repetitions of a measurement: `full`, `quick` with --quick, one with --smoke."""
        if self.smoke:
            return 1
        return quick if self.quick else full

    def record(self, number: int, what: str, measured: str, ratio: float, target: str, ok: bool, **data):
        row = {"#": number, "measurement": what, "measured": measured, "ratio": round(ratio, 2)}
        row.update({"target": target, "meets": ok, **data})
        self.rows.append(row)
        mark = "yes" if ok else "NO"
        print(f"  #{number} {what}: {measured} -> ratio {ratio:.2f} (target {target}) {mark}", flush=True)

    # --- 1: status for shell prompts ----------------------------------------------

    def status(self) -> None:
        print("1. roleswitch status as a whole process", flush=True)
        for size in (10, 1000, 10000):
            env = self.env(size)
            commands = {
                "python -c pass": [sys.executable, "-c", "pass"],
                "roleswitch status": [str(self.script), "status"],
            }
            times = alternate(commands, env, self.runs(40, 15))
            base, ours = median(times["python -c pass"]), median(times["roleswitch status"])
            if size == 10000:
                self.record(
                    1,
                    "`roleswitch status`, 10,000-section credentials file",
                    f"{ms(ours)} vs `python -c pass` {ms(base)}",
                    ours / base,
                    "<= 3x",
                    ours / base <= 3,
                    sizes={str(size): {"status_s": ours, "python_s": base}},
                )
            else:
                print(f"     ({size} targets: status {ms(ours)}, python -c pass {ms(base)})")

    # --- 2 and 8: first frame and memory -------------------------------------------

    def start_and_memory(self) -> None:
        print("2/8. TUI start to first frame, and peak memory (headless, 120x40)", flush=True)
        env = self.env(10000, BENCH_TERMINAL="120x40")
        for kind in START_KINDS:  # warm: bytecode, and the catalogue cache a real start leaves
            run_process(start_command(kind), env)
        times, peaks = self.first_frames(env)
        base, ours = median(times["minimal"]), median(times["roleswitch"])
        self.record(
            2,
            "TUI start to first full frame, 10,000 targets",
            f"{ms(ours)} vs minimal app {ms(base)}",
            ours / base,
            "<= 1.5x",
            ours / base <= 1.5,
        )
        base_mb, ours_mb = median(peaks["minimal"]) / 1024, median(peaks["roleswitch"]) / 1024
        self.record(
            8,
            "peak memory, 10,000 targets",
            f"{ours_mb:.1f} MB vs minimal app {base_mb:.1f} MB",
            ours_mb / base_mb,
            "<= 1.5x",
            ours_mb / base_mb <= 1.5,
        )

    def first_frames(self, env: dict[str, str]) -> tuple[dict[str, list[float]], dict[str, list[int]]]:
        """Seconds to the first frame and peak memory (KB) of both sides, alternating (rows 2, 8, 14)."""
        commands = {kind: start_command(kind) for kind in START_KINDS}
        # Each run prints its target count, when its first frame was up and its peak memory (VmHWM).
        return alternate(commands, env, self.runs(12, 4), first_frame=True)

    # --- 3: filter keystrokes -------------------------------------------------------

    def filtering(self) -> None:
        print("3. filter keystroke to updated screen", flush=True)
        results = {}
        for terminal in ("80x24", "120x40"):
            runs: dict[int, list[dict]] = {100: [], 10000: []}
            for _ in range(self.runs(3, 1)):  # whole runs alternate; the median p95 is kept
                for size in (100, 10000):
                    out = run_process(
                        [sys.executable, "-m", "benchmarks.tui", "filter"],
                        self.env(size, BENCH_TERMINAL=terminal),
                        capture=True,
                    )
                    data = json.loads(out)
                    runs[size].append(data)
            for size, datas in runs.items():
                results[(terminal, size)] = {
                    "work_p95": median([p95(d["work"]) for d in datas]),
                    "latency_p95": median([p95(d["latencies"]) for d in datas]),
                    "keys": sum(len(d["work"]) for d in datas),
                }
        for terminal in ("80x24", "120x40"):
            small, big = results[(terminal, 100)], results[(terminal, 10000)]
            ratio = big["work_p95"] / small["work_p95"]
            ok = ratio <= 1.5 and big["work_p95"] < FRAME_60HZ
            self.record(
                3,
                f"filter keystroke, p95 of the app's work until the frame is painted ({terminal})",
                f"{ms(big['work_p95'])} at 10,000 vs {ms(small['work_p95'])} at 100 "
                f"(wall p95 {ms(big['latency_p95'])} vs {ms(small['latency_p95'])}, which adds "
                "Textual's wait for its next 60 Hz frame)",
                ratio,
                "<= 1.5x and < 16.7 ms",
                ok,
                keys=big["keys"],
            )

    # --- 4: idle CPU ------------------------------------------------------------------

    def idle(self) -> None:
        window = 2.0 if self.smoke else 10.0 if self.quick else 60.0
        warm = 3.0
        print(f"4. CPU of an idle app with a ticking countdown, over {window:.0f} s", flush=True)
        env = self.env(10000, BENCH_TERMINAL="120x40")
        procs = {
            kind: subprocess.Popen(
                [sys.executable, "-m", "benchmarks.tui", "idle", kind, str(warm + window + 1)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            for kind in ("minimal", "roleswitch")
        }
        for proc in procs.values():
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(warm)
        before = {kind: cpu_seconds(proc.pid) for kind, proc in procs.items()}
        time.sleep(window)
        used = {kind: cpu_seconds(proc.pid) - before[kind] for kind, proc in procs.items()}
        for proc in procs.values():
            proc.wait(timeout=30)
        base, ours = used["minimal"], used["roleswitch"]
        self.record(
            4,
            f"CPU while idle with the countdown ticking, {window:.0f} s",
            f"{ours * 1000:.0f} ms of CPU vs minimal app with a 1 Hz label {base * 1000:.0f} ms",
            ours / base if base else float("inf"),
            "<= 1.2x",
            base > 0 and ours / base <= 1.2,
        )

    # --- 5: assume as a process ---------------------------------------------------------

    def assume(self) -> None:
        print("5. assume as a whole process against moto's STS server", flush=True)
        env = self.env(10)
        role_arn = f"arn:aws:iam::{account_id(0)}:role/Admin"
        commands = {
            "boto3 script": [
                sys.executable,
                "-c",
                "import boto3; boto3.Session(profile_name='corp').client('sts').assume_role("
                f"RoleArn='{role_arn}', RoleSessionName='bench')",
            ],
            "roleswitch assume": [str(self.script), "assume", "acct0-admin", "--profile", "bench-out"],
        }
        peers = self.peer_commands(role_arn) if self.peers else {}
        commands.update(peers)
        for command in commands.values():
            run_process(command, env)  # warm: bytecode, awsume's first-run files
        times = alternate(commands, env, self.runs(15, 5))
        base, ours = median(times["boto3 script"]), median(times["roleswitch assume"])
        measured = f"{ms(ours)} vs boto3 script {ms(base)}"
        faster_than_peers = True
        for name in peers:
            measured += f", {name} {ms(median(times[name]))}"
            faster_than_peers &= ours < median(times[name])
        if not peers:
            measured += " (peers not measured)"
        self.record(
            5,
            "`roleswitch assume` against moto's STS",
            measured,
            ours / base,
            "<= 1.15x, and faster than awsume and the AWS CLI",
            ours / base <= 1.15 and faster_than_peers and bool(peers),
            peers=sorted(peers),
        )

    def peer_commands(self, role_arn: str) -> dict[str, list[str]]:
        bin_dir = PEERS / "bin"
        if not (bin_dir / "awsumepy").exists() or not (bin_dir / "aws").exists():
            print("   installing the peers (awsume, awscli) into benchmarks/.peers", flush=True)
            subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
            subprocess.run(
                [str(bin_dir / "pip"), "install", "--quiet", *PEER_PACKAGES],
                check=True,
            )
        return {
            "awsume": [str(bin_dir / "awsumepy"), "acct0-admin"],
            "aws sts assume-role": [
                str(bin_dir / "aws"),
                "sts",
                "assume-role",
                "--profile",
                "corp",
                "--role-arn",
                role_arn,
                "--role-session-name",
                "bench",
            ],
        }

    # --- 6: credentials-file update ------------------------------------------------------

    def credentials_update(self) -> None:
        print("6. credentials-file update with 10,000 sections", flush=True)
        from roleswitch.core.credentials_file import CredentialsFile
        from roleswitch.core.guarded_file import atomic_write

        home = self.org(10000)
        path = self.work / "credentials-10k"
        shutil.copyfile(home / ".aws" / "credentials", path)
        writer = CredentialsFile(path, config_path=home / ".aws" / "config")
        result = _fake_result()

        def rewrite() -> None:
            atomic_write(path, path.read_bytes(), 0o600)

        def update() -> None:
            writer.write("default", result)

        times = alternate_calls({"rewrite": rewrite, "update": update}, self.runs(61, 21))
        base, ours = median(times["rewrite"]), median(times["update"])
        self.record(
            6,
            "credentials-file update, 10,000 sections",
            f"{ms(ours)} vs reading and atomically rewriting the same bytes {ms(base)}",
            ours / base,
            "<= 2x",
            ours / base <= 2,
        )

    # --- 7: catalogue load ------------------------------------------------------------------

    def catalogue(self) -> None:
        print("7. catalogue load of 10,000 profiles", flush=True)
        import botocore.configloader

        from roleswitch.core.catalogue import load_catalogue

        folder = self.work / "config-10k"
        folder.mkdir()
        config = folder / "config"
        config.write_text(
            "[default]\nregion = eu-west-1\n\n[profile corp]\nregion = eu-west-1\n"
            + "".join(
                f"\n[profile p{i}]\nrole_arn = arn:aws:iam::{account_id(i)}:role/Admin\n"
                "source_profile = corp\nregion = eu-west-1\n"
                for i in range(10000)
            )
        )
        credentials = folder / "credentials"
        credentials.write_text("[corp]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n")
        actions = {
            "botocore": lambda: botocore.configloader.load_config(str(config)),
            "roleswitch": lambda: load_catalogue(config, folder / "none.toml", credentials),
        }
        times = alternate_calls(actions, self.runs(9, 3))
        base, ours = median(times["botocore"]), median(times["roleswitch"])
        self.record(
            7,
            "catalogue load, 10,000 profiles (no cache)",
            f"{ms(ours)} vs botocore parsing the same file {ms(base)}",
            base / ours,
            ">= 5x faster",
            base / ours >= 5,
        )

    # --- 13 and 14: IAM Identity Center -------------------------------------------------------

    def sso_discovery(self) -> None:
        from benchmarks.sso import discovery

        discovery(self)

    def sso_start(self) -> None:
        from benchmarks.sso import first_frame

        first_frame(self)

    # --- 12: credential server ------------------------------------------------------------

    def serve(self) -> None:
        from benchmarks.serve import run

        run(self)

    # --- 16: the command palette ----------------------------------------------------------

    def palette(self) -> None:
        from benchmarks.palette import run

        run(self)

    # --- all ----------------------------------------------------------------------------------

    def run(self, only: set[str] | None) -> None:
        steps = {
            "status": self.status,
            "start": self.start_and_memory,
            "filter": self.filtering,
            "idle": self.idle,
            "assume": self.assume,
            "credentials": self.credentials_update,
            "catalogue": self.catalogue,
            "serve": self.serve,
            "sso-discovery": self.sso_discovery,
            "sso-start": self.sso_start,
            "assume-scale": lambda: assume_scale.run(self),
            "palette": self.palette,
            "credential-process": lambda: fast_paths.credential_process(self),
            "status-settings": lambda: fast_paths.status_settings(self),
            "start-after-edit": lambda: fast_paths.start_after_edit(self),
            "stalls": lambda: stalls.run(self),
            "keys-wall": lambda: keys_wall.run(self),
            "memory-typed": lambda: memory_typed.run(self),
            "start-sessions": lambda: sessions.first_frame(self),
            "keys-sessions": lambda: sessions.keystrokes(self),
            "start-100k": lambda: large.run(self),
        }
        assert tuple(steps) == STEPS
        server = None
        try:
            if only is None or {"assume", "assume-scale"} & only:
                server = start_moto()
                self.moto_url = server[1]
            for name, step in steps.items():
                if name in only if only is not None else not (self.quick and name in NOT_QUICK):
                    step()
        finally:
            if server is not None:
                server[0].stop()
            shutil.rmtree(self.work, ignore_errors=True)


# --- measuring ------------------------------------------------------------------------------


def start_command(kind: str) -> list[str]:
    return [sys.executable, "-m", "benchmarks.tui", "start", kind]


def run_process(command: list[str], env: dict[str, str], *, capture: bool = False) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    return done.stdout if capture else ""


def alternate(commands: dict[str, list[str]], env: dict[str, str], rounds: int, *, first_frame: bool = False):
    """Run each command `rounds` times, interleaved; wall seconds. With `first_frame`, the
    seconds until the process printed its first-frame time, and its peak memory in KB."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, list[int]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            begin, spawned = time.perf_counter(), time.monotonic()
            proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            output = proc.stdout.read() if proc.stdout else b""
            _, status, _usage = os.wait4(proc.pid, 0)
            if first_frame:
                frame_at, peak = output.split()[-2:]
                times[name].append(float(frame_at) - spawned)
                peaks[name].append(int(peak))
            else:
                times[name].append(time.perf_counter() - begin)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                error = proc.stderr.read().decode() if proc.stderr else ""
                raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{error[-2000:]}")
            for stream in (proc.stdout, proc.stderr):
                if stream:
                    stream.close()
    return (times, peaks) if first_frame else times


def alternate_calls(actions: dict, rounds: int) -> dict[str, list[float]]:
    """Call each action `rounds` times, interleaved; seconds per call."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(rounds):
        for name, action in actions.items():
            gc.collect()  # neither side pays for the other's garbage
            begin = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - begin)
    return times


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_moto() -> tuple[object, str]:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _fake_result():
    from roleswitch.core.model import AssumeResult, Credentials, Target

    target = Target(
        name="acct0-admin",
        origin="aws-config",
        role_arn=f"arn:aws:iam::{account_id(0)}:role/Admin",
        account_id=account_id(0),
        role_name="Admin",
        source_profile="corp",
    )
    credentials = Credentials(
        access_key_id="ASIABENCHMARK0000001",
        secret_access_key="bench-secret",
        session_token="bench-token",
        expiration=datetime.now(UTC) + timedelta(hours=2),
    )
    return AssumeResult(
        target, credentials, f"arn:aws:sts::{account_id(0)}:assumed-role/Admin/bench", "eu-west-1"
    )


def _write_active_session(home: Path) -> None:
    """An active roleswitch session in [default], so status and the countdown have one."""
    from roleswitch.core.credentials_file import CredentialsFile

    CredentialsFile(home / ".aws" / "credentials", config_path=home / ".aws" / "config").write(
        "default", _fake_result()
    )


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"fewer repetitions, a 10 s idle window; {', '.join(sorted(NOT_QUICK))} only if --only names it",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="one repetition of each measurement (implies --quick): checks that the rows run, "
        "as the test suite does; its ratios mean nothing",
    )
    parser.add_argument("--no-peers", action="store_true", help="skip awsume and the AWS CLI")
    parser.add_argument(
        "--only",
        help=f"comma-separated: {','.join(STEPS)}",
    )
    parser.add_argument("--json", default=str(HERE / "results.json"), help="where to write the results")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    unknown = sorted((only or set()) - set(STEPS))
    if unknown:
        parser.error(f"unknown row name(s) for --only: {', '.join(unknown)}; the names are {','.join(STEPS)}")
    bench = Bench(quick=args.quick, peers=not args.no_peers, smoke=args.smoke)
    print(f"roleswitch benchmarks on {machine()['cpu']} ({machine()['cores']} cores)\n", flush=True)
    started = time.perf_counter()
    bench.run(only)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "quick": bench.quick,
        "smoke": args.smoke,
        "seconds": round(time.perf_counter() - started, 1),
        "rows": bench.rows,
    }
    Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(table(bench.rows))
    print(f"\nwritten to {args.json}")
    return 0 if all(row["meets"] for row in bench.rows) else 1


def table(rows: list[dict]) -> str:
    lines = [
        "| # | measurement | measured | ratio | target | meets |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in sorted(rows, key=lambda r: r["#"]):
        lines.append(
            f"| {row['#']} | {row['measurement']} | {row['measured']} | {row['ratio']:.2f} | "
            f"{row['target']} | {'yes' if row['meets'] else 'no'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    raise SystemExit(main())
