"""The model zoo: the system models the mock server runs.

One package per model family, each with the same roles: ``data`` (the
generator), ``network`` or ``model`` (what is trained), ``train`` (how,
reproducibly, and how it is measured) and ``serving`` (what the server calls:
input and parameter types, the predictor, the spec). The maintenance-text
families share the corpus package ``maintenance_text``; ``kit`` holds what
families share (torch helpers, scaling, CRFs, text features and spans).

``registry`` lists every model once; ``catalogue`` serves them; ``entries``,
``model_spec`` and ``shipped_weights`` are the contract between a family and the
server; ``train`` and ``report`` are the commands that reproduce the shipped
weights and print the metrics.
"""
