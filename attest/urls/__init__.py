"""attest's URLs: the employee's training (``employee``, mounted at /training/) and the manager's view (``team``, at /team/)."""
