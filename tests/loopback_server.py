"""Serving a test endpoint: on 127.0.0.1 only, on a port the system picks, which is written
to a file once the socket listens (atomically: the test polls for the file), then served
until the test stops the process by its PID."""
import os
from http.server import ThreadingHTTPServer


def serve_on_loopback(handler, port_file):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()
