"""Pages employees and managers use (HR works in the admin, ``attest/admin``)."""
