"""Tools that an OpenAI-compatible client sends, carried by the same machinery as our own tools.

- ``schemas``: which JSON schemas the decoding grammar can express (checked up front: a client's mistake is a 4xx);
- ``catalog``: a client tool as the model and the router see it, and its embedding-based ranking;
- ``grammar``: the JSON-schema grammar and the prompt built from exactly the offered tools;
- ``grounding``: arguments grounded in the request and validated against the client's schema;
- ``calling``: the whole decision (rank → decode → ground → validate, one retry, then words).
"""
