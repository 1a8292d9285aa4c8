"""The register of the company's official social-media accounts (issue 17).

The company owns its official accounts: it knows who can sign in to each one and in which role,
how sign-in is protected and where the credentials are kept, reviews the list of holders on a
schedule, and removes a leaver's access. ``models`` (imported by ``attest.models``) holds the
register, ``services`` every write (grant, removal, leaver tasks, reviews), ``selectors`` the
reads and reports, ``exports`` the CSV and Excel register, ``reminders`` the emails to owners and
HR, and ``admin`` the Wagtail views (registered by ``attest.wagtail_hooks.official_accounts``).
"""
