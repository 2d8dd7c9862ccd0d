"""Front ends: the CLI, the FastAPI API, the admin API and the Gradio chat UI.

Thin: each turns input into a call on the ``Engine`` (or the document store) built by
``policyqa.engine`` and turns domain errors into exit codes or HTTP errors. No business logic.
"""
