"""A lean SMTP server for the outbox benchmark: real SMTP over TCP, counting what it accepts by Message-ID.

In production the mail server runs on another machine; here it shares the benchmark's two cores with the workers,
so its own cost is part of what the drain measures. aiosmtpd (the failure tests' sink, tests/support/services.py)
parses and validates every command with a general state machine and costs about as much CPU per message as a worker;
this one speaks the same protocol (greeting, EHLO/HELO, MAIL, RCPT, DATA with a dot-terminated body, RSET, NOOP, QUIT,
and answers to pipelined commands in order) and does nothing else. It runs in a thread of the benchmark's process,
so its CPU time is counted with the process's and printed.
"""

import asyncio
import threading
from collections import Counter

_EHLO_REPLY = b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n"


class LeanSMTPSink:
    def __init__(self, *, port: int):
        self.port = port
        self.connections = 0
        self.message_ids: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="smtp-sink", daemon=True)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self):
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._session, "127.0.0.1", self.port), self._loop
        ).result(timeout=10)
        return self

    def __exit__(self, *exc):
        async def stop():
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    # Counts are read from the benchmark's thread: list appends and len() are atomic under the GIL.
    def received(self) -> int:
        return len(self.message_ids)

    def unique(self) -> int:
        return len(set(self.message_ids))

    def duplicates(self) -> int:
        return sum(n - 1 for n in Counter(self.message_ids).values() if n > 1)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 sink ESMTP\r\n")
        sender = False
        recipients = 0
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    self.connections += 1
                    sender, recipients = False, 0
                    reply = _EHLO_REPLY if verb == b"EHLO" else b"250 sink\r\n"
                elif verb == b"MAIL":
                    sender, recipients = True, 0
                    reply = b"250 OK\r\n"
                elif verb == b"RCPT":
                    if sender:
                        recipients += 1
                        reply = b"250 OK\r\n"
                    else:
                        reply = b"503 Error: need MAIL command\r\n"
                elif verb == b"DATA":
                    if not recipients:
                        reply = b"503 Error: need RCPT command\r\n"
                    else:
                        writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                        self.message_ids.append(await self._read_body(reader))
                        sender, recipients = False, 0
                        reply = b"250 OK\r\n"
                elif verb in (b"RSET", b"NOOP"):
                    if verb == b"RSET":
                        sender, recipients = False, 0
                    reply = b"250 OK\r\n"
                elif verb == b"QUIT":
                    writer.write(b"221 Bye\r\n")
                    break
                else:
                    reply = b"500 Error: command not recognized\r\n"
                writer.write(reply)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    @staticmethod
    async def _read_body(reader: asyncio.StreamReader) -> str:
        """Read a message up to the lone dot; return its Message-ID (headers end at the first empty line)."""
        message_id, in_headers = "", True
        while (line := await reader.readline()) != b".\r\n":
            if not line:
                raise asyncio.IncompleteReadError(b"", None)
            if in_headers:
                if line == b"\r\n":
                    in_headers = False
                elif line[:11].lower() == b"message-id:":
                    message_id = line[11:].decode("ascii", "replace").strip()
        return message_id
