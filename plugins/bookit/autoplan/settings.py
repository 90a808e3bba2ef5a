"""Auto-planning's settings: ``projects[].plugins.bookit.autoplan`` (checked at
start-up with the rest of Bookit's, so a mistake names the file and line).

```yaml
bookit:
  autoplan:
    depot: [60.80, 11.07]                      # start and end of installers with no home base
    skill_rules: {difficult_meter: erfaren}   # a flag field or an issue type -> a skill
    difficult_extra_minutes: 30                # a difficult meter takes this much longer
    selfservice:
      enabled: true                            # booking SMS and letters carry a link
      public_url: https://amsflow.elvnett.no   # where customers reach /b/<token>
      valid_days: 14
      days_ahead: 14                           # how far ahead other times are offered
      slots: 6                                 # how many are offered
      confirm_transition: "51"                 # as the SMS reply OK
      call_me_transition: "52"                 # as the SMS reply KONTAKT
```
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class SelfServiceSchema(_Strict):
    enabled = fields.Boolean(load_default=False)
    public_url = fields.Url(load_default="http://127.0.0.1:5000", require_tld=False)
    valid_days = fields.Integer(load_default=14, validate=validate.Range(min=1, max=60))
    days_ahead = fields.Integer(load_default=14, validate=validate.Range(min=1, max=31))
    slots = fields.Integer(load_default=6, validate=validate.Range(min=1, max=12))
    confirm_transition = fields.String(load_default="51")
    call_me_transition = fields.String(load_default="52")


class AutoplanSchema(_Strict):
    depot = fields.List(fields.Float(allow_nan=False), load_default=None, allow_none=True,
                        validate=validate.Length(equal=2))
    skill_rules = fields.Dict(keys=fields.String(), values=fields.String(),
                              load_default=dict)
    difficult_extra_minutes = fields.Integer(load_default=30,
                                             validate=validate.Range(min=0, max=480))
    selfservice = fields.Nested(SelfServiceSchema,
                                load_default=lambda: SelfServiceSchema().load({}))


def autoplan_settings(project_conf: dict[str, Any]) -> dict[str, Any]:
    """The ``autoplan`` block of a project's Bookit settings (defaults when absent)."""
    return project_conf.get("autoplan") or AutoplanSchema().load({})
