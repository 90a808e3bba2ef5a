"""The mobile plugin's per-project settings (marshmallow), checked at start-up."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate


class MobileConfigSchema(Schema):
    """Which statuses the phone lists, which transitions its buttons run, and what
    *Tilleggsarbeid* and *Avvik* become. Names are the instance's own (workflow
    keys, issue types, link types, field keys), so another instance can rename them."""

    class Meta:
        unknown = RAISE

    statuses = fields.List(fields.String(), load_default=lambda: ["ready", "in_progress"])
    start_transition = fields.String(load_default="START_WORK")
    resolve_transition = fields.String(load_default="RESOLVE")
    ok_resolution = fields.String(load_default="Ok")
    # Resolutions an installer never picks (the planner's own).
    hidden_resolutions = fields.List(fields.String(), load_default=lambda: ["Kansellert"])
    new_meter_field = fields.String(load_default="new_meter_number")
    reading_field = fields.String(load_default="meter_reading")
    require_photo = fields.Boolean(load_default=False)
    extra_work_type = fields.String(load_default="Tilleggsarbeid")
    extra_work_link = fields.String(load_default="Tilleggsarbeid")
    deviation_type = fields.String(load_default="Avvik")
    deviation_link = fields.String(load_default="Relates")
    # Fields copied from the order to the extra work or deviation it reports.
    copy_fields = fields.List(fields.String(), load_default=lambda: [
        "customer_name", "address", "postcode", "post_town", "municipality", "mobile",
        "position", "metering_point_id"])
    photo_max_px = fields.Integer(load_default=1600, validate=validate.Range(min=320,
                                                                             max=4000))
    days_ahead = fields.Integer(load_default=14, validate=validate.Range(min=0, max=365))
