"""Reads the per-message latency logs `device-sim consume --latency-log` writes, for the bench scripts.

Each line is `device <TAB> sequence <TAB> latency micros <TAB> intended send time (epoch micros)`.
"""


def read(path, keep=lambda device, sent: True):
    """{(device, sequence): (latency micros, send time micros)} of the lines `keep(device, sent)` accepts."""
    lat = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            device, seq, micros, sent = line.rstrip("\n").split("\t")
            if keep(device, int(sent)):
                lat[(device, int(seq))] = (int(micros), int(sent))
    return lat
