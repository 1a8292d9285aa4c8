"""Who counts as HR: whoever may view every assignment. The HR group (``cms.roles``) holds this
permission; the reports, their admin menu and the HR emails all ask for it."""

HR_PERMISSION = "attest.view_assignment"
