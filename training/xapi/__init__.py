"""xAPI 1.0.3 statements to a learning record store (README, "Learning record store (xAPI)").

An event writes its statement into an outbox (``XapiStatement``) in the event's own transaction,
only when ``XAPI_LRS_ENDPOINT`` is set; the task worker sends the outbox in batches
(``outbox.py``). Statements are built here (``statements.py``) for what ``training`` knows
(chapters read, quiz attempts); ``attest.xapi`` builds the attestation and completion ones.
"""
