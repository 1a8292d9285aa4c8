"""Records that are written once and never changed, not even by a superuser."""

from wagtail.permission_policies import ModelPermissionPolicy


class AppendOnlyPermissionPolicy(ModelPermissionPolicy):
    """Allow only ``allowed_actions`` (e.g. add, view); edit and delete are refused to everyone."""

    def __init__(self, model, allowed_actions=("add", "view")):
        super().__init__(model)
        self.allowed_actions = set(allowed_actions)

    def user_has_permission(self, user, action):
        return action in self.allowed_actions and super().user_has_permission(user, action)
