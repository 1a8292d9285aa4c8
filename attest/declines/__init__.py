"""Declining to sign (issue 17): an employee refuses, with a reason, instead of signing; HR or
legal respond; the employee may sign at any time. The decline row is evidence: never edited
(its response is written once) or deleted."""
