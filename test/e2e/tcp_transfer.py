#!/usr/bin/env python3
"""A TCP transfer whose SHA-256 both ends print, to prove the bytes arrived intact.

  tcp_transfer.py serve ADDRESS PORT       accept one connection, read to EOF, print "<bytes> <sha256>"
  tcp_transfer.py send ADDRESS PORT BYTES  connect, send BYTES of data, print "<bytes> <sha256>"

The data is deterministic (a counter run through SHA-256), with a marker the wire capture looks for
to prove no plaintext crossed it.
"""
import hashlib
import socket
import sys

MARKER = b"ipsecgw-plaintext-marker"


def chunks(total):
    sent, n = 0, 0
    while sent < total:
        block = (MARKER + hashlib.sha256(n.to_bytes(8, "big")).digest() * 40)[: min(65536, total - sent)]
        block = (block * (65536 // len(block) + 1))[: min(65536, total - sent)]
        yield block
        sent += len(block)
        n += 1


def main():
    op, address, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    digest, count = hashlib.sha256(), 0
    if op == "serve":
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((address, port))
            s.listen(1)
            print("listening", flush=True)
            conn, _ = s.accept()
            with conn:
                while True:
                    data = conn.recv(1 << 16)
                    if not data:
                        break
                    digest.update(data)
                    count += len(data)
    else:
        with socket.create_connection((address, port), timeout=60) as s:
            for block in chunks(int(sys.argv[4])):
                s.sendall(block)
                digest.update(block)
                count += len(block)
    print(count, digest.hexdigest(), flush=True)


if __name__ == "__main__":
    main()
