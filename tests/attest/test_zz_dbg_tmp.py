import datetime
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests import factories
from tests.attest.test_reports import AS_OF, build_organisation
from cms.roles import HR

def test_dbg(db, client):
    org = build_organisation()
    client.force_login(factories.user(groups=[HR]))
    client.get("/admin/compliance/")
    runs = []
    for i in range(3):
        with CaptureQueriesContext(connection) as c:
            client.get("/admin/compliance/", {"as_of": AS_OF.isoformat()})
        runs.append([q["sql"][:120] for q in c.captured_queries])
    for r in runs: print(len(r))
    import difflib
    print("\n".join(difflib.unified_diff(runs[0], runs[1], lineterm="")))
