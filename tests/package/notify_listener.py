#!/usr/bin/env python3
"""Stands in for systemd's NOTIFY_SOCKET: binds a datagram socket and writes every
message it receives, with the monotonic time, one per line to the log file."""
import socket
import sys
import time

path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(log, "w", buffering=1) as out:
    while True:
        msg = s.recv(4096).decode("utf-8", "replace")
        for line in msg.split("\n"):
            if line:
                out.write(f"{time.monotonic():.3f} {line}\n")
