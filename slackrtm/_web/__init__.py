"""The sans-I/O core of the Web API clients: requests out, answers in, no sockets, no loop.

Both transports (`slackrtm.sync` over urllib3, `slackrtm.aio` over aiohttp) are a loop
around these functions that only moves bytes:

    request = build_request(spec, args, config)
    attempts = Attempts(config.retry, idempotent=spec.idempotent)
    while True:
        outcome = send(request)               # Answer(status, headers, body) or Failure(error)
        wait = attempts.next_wait(outcome)    # seconds to sleep, or None: stop here
        if wait is None:
            return finish(spec, outcome, config, caller=find_caller)
        sleep(wait)

`send` reads the raw bytes of the body into a `BodyReader` (each library's decompression is
off) and turns what its library raised into a `failure` of a named kind, so the twins give the
same outcome, word for word, for the same server. ``find_caller`` is the client's way to find
the user's line for a warning: a walk down the stack (`report.stack_caller`) for `Client`,
which `AsyncClient` extends through asyncio's tasks (`slackrtm._aio_caller`).

Every decision lives here, one job a module (import them by their module; this package's
`__init__` imports none of them, so no module here imports back up through it):

    limits    the fixed numbers and names (imports nothing of ours)
    urls      URL rules: loopback, base URL and proxy shape, hidden userinfo, socket URLs
    redact    secrets out of every text: `redacted` reprs, `scrub`, excerpts
    policy    `RetryPolicy` (attrs; loaded on first use, never by building a client)
    config    `Config` and `make_config`: a client's options checked and resolved once
    request   `Request` and `build_request`: the wire encoding of a call
    failures  `Failure`, `failure`, `closed`: no usable answer, in the same words
    body      heads and bodies: `header_pairs`, `Answer`, `BodyReader` (gzip, deflate, caps)
    retry     `Attempts`, `backoff`, `retry_after`, `log_attempt`
    report    warnings: a log line and a `SlackApiWarning` each, at the caller's line
    finish    the last outcome into the model, or the typed error it stands for

The token appears in exactly one place, the Authorization header of `Request`, and never in a
repr, a log line, an exception or a URL: every text built from what the server sent is
scrubbed first (`redact.scrub`). Nothing here imports asyncio or an I/O library.
"""
