"""The forms of attest: signing, people and requirements (admin), report filters."""
