"""From the staging tables into the model tables, record type by record type.

Each step is one source SELECT that turns staged rows into the model's columns (slugs
resolved to ids by joins), handed to normsdb.dataset.upsert. Records referred to come
first (organisations and states before instruments, instruments before obligations), so
that every join finds what it needs. Nested records are matched by their natural key
within the enclosing record (a provision by its label), as the format describes.
"""

from instruments.models import (
    Instrument,
    InstrumentRelation,
    Membership,
    Organization,
    Participation,
    Provision,
    RecordedVote,
    State,
    Vote,
)
from obligations.models import (
    AllegedBreach,
    Attribution,
    Incident,
    LegalQuestion,
    Norm,
    Obligation,
    ResponseAction,
    ResponseMeasure,
    Stance,
    Topic,
)

from .upsert import delete_rows, prepare, sync_links, write

ORGANIZATION_ID = "LEFT JOIN instruments_organization {a} ON {a}.slug = {value}"


def targets(src, column, table, key="slug", where=""):
    """The (owner, target) pairs of a staged list of slugs, resolved to ids."""
    target = "code" if table == "instruments_state" else "id"
    return (
        f"SELECT s._id AS owner, x.{target} AS target FROM {src} s"
        f" CROSS JOIN unnest(s.{column}) AS u(value) JOIN {table} x ON x.{key} = u.value {where}"
    )


# How deep a new row sits among the new rows, so that parents are written before their
# children (the database's loop trigger looks each new row's parent up).
DEPTH = (
    "WITH RECURSIVE up(id, parent_id, depth) AS ("
    " SELECT _id, parent_id, 0 FROM {src} WHERE _new AND parent_id IS NOT NULL"
    " UNION ALL SELECT up.id, p.parent_id, up.depth + 1 FROM up"
    " JOIN {src} p ON p._id = up.parent_id AND p._new WHERE up.depth < 100)"
    " UPDATE {src} s SET _depth = d.depth + 1 FROM"
    " (SELECT id, max(depth) AS depth FROM up GROUP BY id) d WHERE s._id = d.id"
)

# Above this many staged rows, the foreign keys of the tables an import writes are dropped
# for the writes and added back before the commit (see upsert.ForeignKeys).
BULK_ROWS = 20_000

MODELS = [Organization, State, Membership, Topic, LegalQuestion, Instrument, Provision,
          Participation, InstrumentRelation, RecordedVote, Vote, Stance, Norm, Obligation,
          ResponseMeasure, Incident, Attribution, AllegedBreach, ResponseAction]  # fmt: skip


def tables_written():
    """Every table an import may write: the models', their many-to-many tables and their
    history tables (with the history of an instrument's topics)."""
    tables = set()
    for model in MODELS:
        history = model.history.model
        tables |= {model._meta.db_table, history._meta.db_table}
        tables |= {m2m.remote_field.through._meta.db_table for m2m in model._meta.many_to_many}
        tables |= {r.related_model._meta.db_table for r in history._meta.related_objects}
    return tables


class Writer:
    def __init__(self, writes, report, *, replace, staged_rows):
        self.w = writes
        self.report = report
        self.replace = replace
        self.staged_rows = staged_rows

    def run(self):
        if self.staged_rows > BULK_ROWS:
            self.w.bulk = True
            self.w.foreign_keys.relax(tables_written())
        self.organizations()
        self.states()
        self.memberships()
        self.topics()
        self.legal_questions()
        self.instruments()
        self.norms()
        self.obligations()
        self.response_measures()
        self.incidents()
        if self.replace:
            self.delete_absent()
        self.w.foreign_keys.restore()

    def step(self, kind, model, source, *, key, values, links=None, fix=(), **options):
        """Prepare, fix up, write and link one record type (history rows come with the
        writes)."""
        order = options.pop("order", "_id")
        src = prepare(self.w, model, source, key=key, **options)
        for sql in fix:
            self.w.execute(sql.format(src=src))
        created, updated = write(self.w, model, src, key=key, values=values, order=order)
        for name, wanted in (links or {}).items():
            updated += sync_links(self.w, model, name, src, wanted.format(src=src))
        total = self.w.scalar(f"SELECT count(*) FROM {src}")
        self.report.add(kind, created=created, updated=updated, unchanged=total - created - updated)
        return src

    # -- the record types --------------------------------------------------------------------

    def organizations(self):
        self.step(
            "organizations", Organization,
            "SELECT slug, name, acronym, url FROM stage_organization",
            key=["slug"], values=["name", "acronym", "url"],
        )  # fmt: skip

    def states(self):
        self.step(
            "states", State, "SELECT code, name, region, subregion FROM stage_state",
            key=["code"], values=["name", "region", "subregion"],
        )  # fmt: skip

    def memberships(self):
        self.step(
            "members", Membership,
            "SELECT o.id AS organization_id, s.state AS state_id, s.joined_on, s.left_on,"
            " s.source_url FROM stage_membership s"
            " JOIN instruments_organization o ON o.slug = s.organization",
            key=["organization_id", "state_id"], values=["joined_on", "left_on", "source_url"],
        )  # fmt: skip

    def topics(self):
        # A parent may be new too: it is looked up among the file's topics (whose ids are
        # known before they are written), then among the stored ones.
        self.step(
            "topics", Topic,
            "SELECT slug, name, description, NULL::bigint AS parent_id, parent AS _parent,"
            " 0 AS _depth FROM stage_topic",
            key=["slug"], values=["name", "description", "parent_id"], order="_depth, _id",
            fix=["UPDATE {src} s SET parent_id = coalesce("
                 " (SELECT p._id FROM {src} p WHERE p.slug = s._parent),"
                 " (SELECT t.id FROM obligations_topic t WHERE t.slug = s._parent))"
                 " WHERE s._parent IS NOT NULL", DEPTH],
        )  # fmt: skip

    def legal_questions(self):
        self.step(
            "legal_questions", LegalQuestion,
            'SELECT slug, name, description, ord AS "order" FROM stage_legal_question',
            key=["slug"], values=["name", "description", "order"],
        )  # fmt: skip

    def instruments(self):
        src = self.step(
            "instruments", Instrument,
            "SELECT s.slug, s.title, s.short_title, s.symbol, s.kind, s.legal_force, s.scope,"
            " s.status, o.id AS organization_id, s.region, s.adopted_on,"
            " s.opened_for_signature_on, s.entered_into_force_on, s.summary, s.source_url,"
            " s.last_reviewed_on, st.code AS author_state_id, ao.id AS author_organization_id,"
            " b.id AS binds_members_of_id, s.adopted_without_vote, s.topics AS _topics"
            " FROM stage_instrument s"
            " LEFT JOIN instruments_organization o ON o.slug = s.organization"
            " LEFT JOIN instruments_state st ON st.code = s.author"
            " LEFT JOIN instruments_organization ao ON ao.slug = s.author AND st.code IS NULL"
            " LEFT JOIN instruments_organization b ON b.slug = s.binds_members_of",
            key=["slug"],
            values=["title", "short_title", "symbol", "kind", "legal_force", "scope", "status",
                    "organization_id", "region", "adopted_on", "opened_for_signature_on",
                    "entered_into_force_on", "summary", "source_url", "last_reviewed_on",
                    "author_state_id", "author_organization_id", "binds_members_of_id",
                    "adopted_without_vote"],
            links={"topics": targets("{src}", "_topics", "obligations_topic")},
        )  # fmt: skip
        self.instrument_topics_history(src)
        self.provisions()
        joined = " JOIN instruments_instrument i ON i.slug = s.instrument"
        self.step(
            "participants", Participation,
            "SELECT i.id AS instrument_id, s.state AS state_id, o.id AS organization_id,"
            " s.status, s.signed_on, s.consented_on, s.note, s.source_url"
            " FROM stage_participant s" + joined +
            " LEFT JOIN instruments_organization o ON o.slug = s.organization",
            key=["instrument_id", "state_id", "organization_id"],
            nullable_key=["state_id", "organization_id"],
            values=["status", "signed_on", "consented_on", "note", "source_url"],
        )  # fmt: skip
        self.step(
            "relations", InstrumentRelation,
            "SELECT i.id AS from_instrument_id, t.id AS to_instrument_id, s.kind, s.note"
            " FROM stage_relation s" + joined +
            " JOIN instruments_instrument t ON t.slug = s.target",
            key=["from_instrument_id", "to_instrument_id", "kind"], values=["note"],
        )  # fmt: skip
        votes = self.step(
            "recorded_votes", RecordedVote,
            "SELECT i.id AS instrument_id, s.date, s.meeting, s.in_favour, s.against,"
            " s.abstaining, s.source_url, s.has_votes AS _has_votes"
            " FROM stage_recorded_vote s" + joined,
            key=["instrument_id"],
            values=["date", "meeting", "in_favour", "against", "abstaining", "source_url"],
        )  # fmt: skip
        listed = self.step(
            "votes", Vote,
            "SELECT i.id AS instrument_id, s.state AS state_id, s.list AS vote"
            " FROM stage_vote s" + joined,
            key=["instrument_id", "state_id"], values=["vote"],
        )  # fmt: skip
        # The vote lists of a recorded vote are complete: a state no longer listed goes.
        self.report.add("votes", deleted=delete_rows(self.w, Vote, (
            f"t.instrument_id IN (SELECT instrument_id FROM {votes} WHERE _has_votes)"
            f" AND NOT EXISTS (SELECT 1 FROM {listed} s WHERE s._id = t.id)"
        )))  # fmt: skip
        self.step(
            "stances", Stance,
            "SELECT i.id AS position_id, q.id AS question_id, p.id AS provision_id, s.stance,"
            " s.summary FROM stage_stance s" + joined +
            " JOIN obligations_legalquestion q ON q.slug = s.question"
            " LEFT JOIN instruments_provision p ON p.instrument_id = i.id"
            " AND p.label = s.provision",
            key=["position_id", "question_id"], values=["provision_id", "stance", "summary"],
        )  # fmt: skip

    def instrument_topics_history(self, src):
        """simple-history keeps an instrument's topics with each of its history rows."""
        history = Instrument.history.model._meta.db_table
        self.w.execute(
            f"INSERT INTO {history}_topics (id, history_id, instrument_id, topic_id)"
            f" SELECT l.id, h.history_id, l.instrument_id, l.topic_id FROM {history} h"
            f" JOIN {src} s ON s._id = h.id"
            f" JOIN instruments_instrument_topics l ON l.instrument_id = h.id"
            f" WHERE h.history_date = %(now)s"
        )

    def provisions(self):
        self.step(
            "provisions", Provision,
            "SELECT i.id AS instrument_id, s.label, s.heading, s.summary, s.ord AS \"order\","
            " NULL::bigint AS parent_id, s.source_url, s.parent AS _parent, 0 AS _depth"
            " FROM stage_provision s JOIN instruments_instrument i ON i.slug = s.instrument",
            key=["instrument_id", "label"],
            values=["heading", "summary", "order", "parent_id", "source_url"],
            order="_depth, _id",
            fix=["UPDATE {src} s SET parent_id = found.id FROM ("
                 " SELECT c._id AS child, coalesce(p._id, t.id) AS id FROM {src} c"
                 " LEFT JOIN {src} p ON p.instrument_id = c.instrument_id"
                 "  AND p.label = c._parent"
                 " LEFT JOIN instruments_provision t"
                 "  ON t.instrument_id = c.instrument_id AND t.label = c._parent"
                 " WHERE c._parent IS NOT NULL) found WHERE s._id = found.child",
                 DEPTH],
        )  # fmt: skip

    def norms(self):
        self.step(
            "norms", Norm,
            "SELECT s.slug, s.title, s.statement, s.code, i.id AS origin_id, s.topics AS _topics"
            " FROM stage_norm s LEFT JOIN instruments_instrument i ON i.slug = s.origin",
            key=["slug"], values=["title", "statement", "code", "origin_id"],
            links={"topics": targets("{src}", "_topics", "obligations_topic")},
        )  # fmt: skip

    def obligations(self):
        self.step(
            "obligations", Obligation,
            "SELECT s.slug, i.id AS instrument_id, p.id AS provision_id, s.duty_bearer,"
            " s.modality, s.summary, s.deadline, s.deadline_trigger, s.verification,"
            " s.norms AS _norms, s.topics AS _topics FROM stage_obligation s"
            " JOIN instruments_instrument i ON i.slug = s.instrument"
            " LEFT JOIN instruments_provision p ON p.instrument_id = i.id"
            " AND p.label = s.provision",
            key=["slug"],
            values=["instrument_id", "provision_id", "duty_bearer", "modality", "summary",
                    "deadline", "deadline_trigger", "verification"],
            links={"norms": targets("{src}", "_norms", "obligations_norm"),
                   "topics": targets("{src}", "_topics", "obligations_topic")},
        )  # fmt: skip

    def response_measures(self):
        self.step(
            "response_measures", ResponseMeasure,
            "SELECT slug, name, category, escalation_level, description, attribution_threshold,"
            " reversible, conditions, responds_to AS _responds_to FROM stage_response_measure",
            key=["slug"],
            values=["name", "category", "escalation_level", "description",
                    "attribution_threshold", "reversible", "conditions"],
            links={
                "responds_to": targets("{src}", "_responds_to", "obligations_norm"),
                "legal_basis": "SELECT s._id AS owner, p.id AS target FROM stage_legal_basis b"
                " JOIN {src} s ON s.slug = b.measure"
                " JOIN instruments_instrument i ON i.slug = b.instrument"
                " JOIN instruments_provision p ON p.instrument_id = i.id AND p.label = b.provision",
            },
        )  # fmt: skip

    def incidents(self):
        self.step(
            "incidents", Incident,
            "SELECT slug, name, aliases::varchar[] AS aliases, started_on, started_on_precision,"
            " start_unknown, ended_on, ended_on_precision, disclosed_on, operation_type,"
            " summary, sources::varchar[] AS sources, victims AS _victims, sectors AS _sectors"
            " FROM stage_incident",
            key=["slug"],
            values=["name", "aliases", "started_on", "started_on_precision", "start_unknown",
                    "ended_on", "ended_on_precision", "disclosed_on", "operation_type",
                    "summary", "sources"],
            links={"victims": targets("{src}", "_victims", "instruments_state", "code"),
                   "sectors": targets("{src}", "_sectors", "obligations_topic")},
        )  # fmt: skip
        joined = " JOIN obligations_incident n ON n.slug = s.incident"
        by_state = targets("{src}", "{column}", "instruments_state", "code")
        by_organization = targets(
            "{src}", "{column}", "instruments_organization",
            where="WHERE NOT EXISTS (SELECT 1 FROM instruments_state c WHERE c.code = u.value)",
        )  # fmt: skip
        self.step(
            "attributions", Attribution,
            "SELECT n.id AS incident_id, st.code AS by_state_id, o.id AS by_organization_id,"
            " s.date, s.confidence, s.to_group, s.basis, s.summary, s.source_url,"
            " s.to_states AS _to_states, s.joint_with AS _joint_with"
            " FROM stage_attribution s" + joined +
            " LEFT JOIN instruments_state st ON st.code = s.by_actor"
            " LEFT JOIN instruments_organization o ON o.slug = s.by_actor AND st.code IS NULL",
            key=["incident_id", "by_state_id", "by_organization_id", "date"],
            nullable_key=["by_state_id", "by_organization_id"],
            values=["confidence", "to_group", "basis", "summary", "source_url"],
            links={"to_states": by_state.replace("{column}", "_to_states"),
                   "joint_with": by_state.replace("{column}", "_joint_with")},
        )  # fmt: skip
        self.step(
            "breaches", AllegedBreach,
            "SELECT n.id AS incident_id, m.id AS norm_id, s.source_url,"
            " s.alleged_by AS _alleged_by FROM stage_breach s" + joined +
            " JOIN obligations_norm m ON m.slug = s.norm",
            key=["incident_id", "norm_id"], values=["source_url"],
            links={"alleged_by_states": by_state.replace("{column}", "_alleged_by"),
                   "alleged_by_organizations": by_organization.replace("{column}", "_alleged_by")},
        )  # fmt: skip
        # A response is known by its measure, date and who took it (the sorted actors).
        self.step(
            "responses", ResponseAction,
            "SELECT n.id AS incident_id, m.id AS measure_id, s.date, s.description,"
            " p.id AS legal_basis_id, s.source_url, pg_temp.sorted_text(s.by_actors) AS _by,"
            " s.by_actors AS _by_actors FROM stage_response s" + joined +
            " JOIN obligations_responsemeasure m ON m.slug = s.measure"
            " LEFT JOIN instruments_instrument bi ON bi.slug = s.basis_instrument"
            " LEFT JOIN instruments_provision p ON p.instrument_id = bi.id"
            " AND p.label = s.basis_provision",
            key=["incident_id", "measure_id", "date", "_by"], nullable_key=["_by"],
            existing="SELECT r.id, r.incident_id, r.measure_id, r.date, pg_temp.sorted_text(ARRAY("
            " SELECT x.state_id FROM obligations_responseaction_by_states x"
            "  WHERE x.responseaction_id = r.id UNION ALL"
            " SELECT o.slug FROM obligations_responseaction_by_organizations x"
            "  JOIN instruments_organization o ON o.id = x.organization_id"
            "  WHERE x.responseaction_id = r.id)) AS _by FROM obligations_responseaction r",
            values=["description", "legal_basis_id", "source_url"],
            links={"by_states": by_state.replace("{column}", "_by_actors"),
                   "by_organizations": by_organization.replace("{column}", "_by_actors")},
        )  # fmt: skip

    # -- replace -----------------------------------------------------------------------------

    def delete_absent(self):
        """Delete every row the file does not hold, dependants before what they refer to
        (the foreign keys are checked at the commit, so a parent may go with its children)."""
        for kind, model in [
            ("attributions", Attribution), ("breaches", AllegedBreach),
            ("responses", ResponseAction), ("incidents", Incident), ("stances", Stance),
            ("votes", Vote), ("recorded_votes", RecordedVote),
            ("relations", InstrumentRelation), ("participants", Participation),
            ("members", Membership), ("obligations", Obligation),
            ("response_measures", ResponseMeasure), ("norms", Norm),
            ("provisions", Provision), ("instruments", Instrument),
            ("legal_questions", LegalQuestion), ("states", State), ("topics", Topic),
            ("organizations", Organization),
        ]:  # fmt: skip
            table, id_column = model._meta.db_table, model._meta.pk.column
            condition = f"NOT EXISTS (SELECT 1 FROM src_{table} s WHERE s._id = t.{id_column})"
            self.report.add(kind, deleted=delete_rows(self.w, model, condition))
