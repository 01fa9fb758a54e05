"""The request handler the test servers share (tests/hostile/hostile_server.py,
tests/oci/redirecting_proxy.py): HTTP/1.1 with a Content-Length on every answer, no
request log on stderr, and a client that cuts an answer short is not an error."""
import http.server


class QuietHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes on a kept-alive connection: with Nagle's
    # algorithm the body waits for the client's delayed ACK, 40 ms an answer.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client cut the answer short, as it may
