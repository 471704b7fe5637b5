#!/usr/bin/env python3
"""Load for bench_forward.sh: a TCP sink behind a forward, and the client that fills it.

  forward_load.py sink                     listens on a free 127.0.0.1 port (printed first),
                                           reads each connection to EOF, answers the byte
                                           count it got, then closes
  forward_load.py push PORT BYTES CONNS    CONNS connections at once to 127.0.0.1:PORT, each
                                           sending BYTES/CONNS bytes, half-closing and reading
                                           the count back; prints the aggregate MB/s (10^6
                                           bytes per second, from the first connect to the
                                           last answer) and fails unless every count matches
"""
import socket
import sys
import threading
import time

CHUNK = 1 << 20


def sink() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(256)
    print(server.getsockname()[1], flush=True)

    def serve(connection: socket.socket) -> None:
        buffer = bytearray(CHUNK)
        total = 0
        with connection:
            while True:
                got = connection.recv_into(buffer)
                if got == 0:
                    break
                total += got
            connection.sendall(b"%d\n" % total)

    while True:
        connection, _ = server.accept()
        threading.Thread(target=serve, args=(connection,), daemon=True).start()


def push(port: int, total: int, connections: int) -> None:
    each = total // connections
    block = bytes(CHUNK)
    answers = [b""] * connections
    failures = []

    def one(index: int) -> None:
        try:
            with socket.create_connection(("127.0.0.1", port)) as connection:
                left = each
                while left:
                    sent = connection.send(block[: min(left, CHUNK)])
                    left -= sent
                connection.shutdown(socket.SHUT_WR)
                answer = b""
                while True:
                    got = connection.recv(64)
                    if not got:
                        break
                    answer += got
                answers[index] = answer
        except OSError as error:
            failures.append(str(error))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(connections)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    wrong = [a for a in answers if a.strip() != str(each).encode()]
    if failures or wrong:
        sys.exit("push: %d failed, %d short (%s)" % (len(failures), len(wrong), (failures or wrong)[0]))
    print("%.1f" % (each * connections / elapsed / 1e6))


if __name__ == "__main__":
    if sys.argv[1:2] == ["sink"]:
        sink()
    elif sys.argv[1:2] == ["push"] and len(sys.argv) == 5:
        push(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)
