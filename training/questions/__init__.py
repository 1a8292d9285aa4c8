"""Employees' questions about a chapter, the answers the policy owner writes, and the FAQ entries
published from them. Private to the person who asked, the policy's owner, legal and HR; FAQ
entries are anonymous and shown beside the chapter, never inside its signed text.

Like the rest of ``training`` this knows nothing of HR: who gets told, and in which language,
is ``attest``'s business (``attest.questions``)."""
