"""StreamField blocks for chapter content and chapter quizzes.

Quiz rules (at least one correct option, exactly one for single-answer kinds) are
enforced in ``QuestionBlock.clean`` so an invalid quiz can never be saved or published.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageBlock

RICH_TEXT_FEATURES = ["h3", "bold", "italic", "ol", "ul", "link"]

ERROR_NO_CORRECT_OPTION = _("Mark at least one option as correct.")
ERROR_ONE_CORRECT_OPTION = _("This kind of question needs exactly one correct option.")
ERROR_TRUE_FALSE_OPTIONS = _("A true/false question has exactly two options.")
ERROR_SCENARIO_MISSING = _("A scenario question needs the scenario it asks about.")
ERROR_TOO_FEW_OPTIONS = _("A question needs at least two options.")


class DoDontBlock(blocks.StructBlock):
    dos = blocks.ListBlock(blocks.CharBlock(max_length=500), label=_("Do"))
    donts = blocks.ListBlock(blocks.CharBlock(max_length=500), label=_("Don't"))

    class Meta:
        icon = "tick"
        label = _("Do / don't list")
        template = "training/blocks/do_dont.html"


class ExampleBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200)
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "openquote"
        label = _("Example")
        template = "training/blocks/example.html"


class ScenarioBlock(blocks.StructBlock):
    situation = blocks.TextBlock()
    question = blocks.CharBlock(max_length=300, required=False)
    guidance = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Recommended handling"))

    class Meta:
        icon = "help"
        label = _("Scenario")
        template = "training/blocks/scenario.html"


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(choices=[("info", _("Information")), ("warning", _("Warning"))], default="info")
    text = blocks.TextBlock()

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "training/blocks/callout.html"


class ChapterBodyBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"), template="training/blocks/text.html")
    do_dont = DoDontBlock()
    example = ExampleBlock()
    scenario = ScenarioBlock()
    callout = CalloutBlock()
    image = ImageBlock(label=_("Image"))


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=500)
    is_correct = blocks.BooleanBlock(required=False, label=_("Correct"))
    feedback = blocks.CharBlock(max_length=500, required=False, help_text=_("Shown after submission."))

    class Meta:
        icon = "radio-empty"
        label = _("Option")


class QuestionKind:
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    SCENARIO = "scenario"
    CHOICES = [
        (SINGLE, _("Single choice")),
        (MULTIPLE, _("Multiple choice")),
        (TRUE_FALSE, _("True / false")),
        (SCENARIO, _("Scenario")),
    ]
    ONE_ANSWER = {SINGLE, TRUE_FALSE, SCENARIO}


class QuestionBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(choices=QuestionKind.CHOICES, default=QuestionKind.SINGLE)
    prompt = blocks.CharBlock(max_length=500)
    scenario = blocks.TextBlock(required=False, help_text=_("The situation, for scenario questions."))
    options = blocks.ListBlock(OptionBlock())
    explanation = blocks.TextBlock(required=False, help_text=_("Shown after submission."))

    class Meta:
        icon = "help"
        label = _("Question")

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        options = value["options"]
        correct = sum(1 for option in options if option["is_correct"])
        if len(options) < 2:
            errors["options"] = ValidationError(ERROR_TOO_FEW_OPTIONS)
        elif value["kind"] == QuestionKind.TRUE_FALSE and len(options) != 2:
            errors["options"] = ValidationError(ERROR_TRUE_FALSE_OPTIONS)
        elif correct == 0:
            errors["options"] = ValidationError(ERROR_NO_CORRECT_OPTION)
        elif value["kind"] in QuestionKind.ONE_ANSWER and correct != 1:
            errors["options"] = ValidationError(ERROR_ONE_CORRECT_OPTION)
        if value["kind"] == QuestionKind.SCENARIO and not value["scenario"].strip():
            errors["scenario"] = ValidationError(ERROR_SCENARIO_MISSING)
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value


class QuizBlock(blocks.StreamBlock):
    question = QuestionBlock()
