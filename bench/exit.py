#!/usr/bin/env python3
"""How long a provider takes to end after the engine's signal: start the launcher, read its port line, wait 0.3 s,
send SIGINT or SIGTERM, time until the process has exited. Prints the median and every try.

    python3 bench/exit.py provider/bin/pulumi-resource-imagecache SIGINT [tries]
"""
import signal
import statistics
import subprocess
import sys
import time


def main():
    launcher, name = sys.argv[1], sys.argv[2]
    tries = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    sig = getattr(signal, name)
    took = []
    for _ in range(tries):
        p = subprocess.Popen([launcher], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        p.stdout.readline()
        time.sleep(0.3)
        t = time.monotonic()
        p.send_signal(sig)
        p.wait(timeout=30)
        took.append((time.monotonic() - t) * 1000)
    print(f"{name} {launcher}: exit median {statistics.median(took):.0f} ms, tries {[round(x) for x in took]}")


if __name__ == "__main__":
    main()
