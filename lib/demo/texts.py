"""What the interaction log says: products, competitors and sales-call report templates.

Templates take {account} (the customer's short name), {contact} (a first name),
{product} and {competitor}; lib.demo.common.fill renders them column-wise.
"""
from __future__ import annotations

PRODUCTS = ("Atlas Platform", "Atlas Analytics", "Beacon IoT Sensors", "Beacon Fleet",
            "Harbor Payments", "Summit Support Plus", "Relay Integrations", "Relay Mobile",
            "Lumen Reporting", "Atlas Training")
COMPETITORS = ("Orbital Systems", "Nimbus Corp", "Vertex Solutions", "Quantia")

# (subject, notes, outcome) per interaction type.
TEMPLATES = {
    "call": (
        ("Check-in call", "Called {contact} to check in on the {product} rollout. Usage is up since the last review; they asked about adding two more sites. Agreed to send a revised quote by Friday.", "Quote requested"),
        ("Renewal timing", "Quick call with {contact} about renewal timing. Budget for next year is not signed off yet; finance wants a three-year option priced. I'll prepare both options.", "Options to prepare"),
        ("Invoice query", "{contact} called about last month's {product} charges. Explained the pro-rata line; they are happy and will ask AP to release the payment.", "Query resolved"),
        ("Pilot follow-up", "Follow-up call on the {product} pilot. Pilot users like the reporting but setup took longer than promised. {contact} wants a named onboarding lead.", "Pilot continues"),
        ("Price challenge from {competitor}", "Call with {contact}: {competitor} has approached them with a lower price on {product}. Reminded them of our service levels and uptime; they want a price review before quarter end.", "Price review requested"),
    ),
    "meeting": (
        ("Roadmap meeting", "Met {contact} and the operations team at {account}. Walked through the {product} roadmap; strong interest in the analytics module. Next: a technical workshop.", "Workshop agreed"),
        ("Account planning", "Account planning meeting with {contact}. Agreed three priorities for the year: consolidate suppliers, cut onboarding time, expand {product} to their second region.", "Plan agreed"),
        ("Pricing discussion", "Pricing discussion with procurement and {contact}. They pushed for 8% off {product}; we offered 4% for a two-year commitment. Decision expected at their next board meeting.", "Awaiting decision"),
        ("Intro to new stakeholder", "{contact} introduced their new head of operations. Good first meeting; she knows {product} from her last company and wants a refresher session for her team.", "Training session to book"),
    ),
    "visit": (
        ("Site visit", "Site visit at {account}. Toured the floor with {contact}; two lines still run the legacy setup, a good case for {product}. Took notes for the proposal.", "Proposal to follow"),
        ("Quarterly visit", "Visited {account} for the quarterly catch-up. Relationship is warm; {contact} introduced the new head of IT. Left the {product} case study with them.", "Relationship strengthened"),
        ("On-site fix", "On-site visit to resolve installation issues with {product}. Our engineer fixed the configuration on the spot; {contact} is satisfied but wants a written root cause.", "Issue fixed on site"),
    ),
    "email": (
        ("Updated proposal", "Sent {contact} the updated proposal for {product} with the volume discount we discussed.", "Proposal sent"),
        ("Renewal reminder", "Emailed {contact} the renewal reminder and a usage summary; asked for a slot to review before the contract end date.", "Awaiting reply"),
        ("Security question", "Replied to {contact}'s question on {product} data retention; attached the security whitepaper.", "Answered"),
        ("Meeting follow-up", "Sent {contact} the notes and actions from our meeting, with the {product} price sheet.", "Notes sent"),
    ),
    "demo": (
        ("{product} demo", "Demo of {product} for {contact} and four of their users. Good reaction to the dashboards; questions on single sign-on and exports. Sent the trial link.", "Trial started"),
        ("Demo vs {competitor}", "Live demo of {product} on their own sample data. {contact} compared it with {competitor}: we win on ease of use, lose on price.", "Shortlisted"),
    ),
    "qbr": (
        ("Quarterly business review", "QBR with {contact}: spend up on last quarter, service levels met, two open tickets. Presented the {product} upsell; they want numbers for next year.", "Upsell proposal requested"),
        ("QBR", "QBR at {account}. Reviewed KPIs, invoices and adoption of {product}. {contact} flagged slow support responses last month; agreed a service improvement plan.", "Service plan agreed"),
    ),
    "escalation": (
        ("Escalation: {product} outages", "{contact} escalated repeated outages of {product} at their main site. Raised a P1 with support; promised daily updates until fixed.", "P1 raised"),
        ("Escalation: wrong deliveries", "Wrong items shipped twice this month on the {product} order. {contact} is unhappy and copied their COO. Logistics is investigating.", "Investigation opened"),
        ("Escalation: double billing", "{account} was invoiced twice for {product}. Credit note requested from finance; {contact} wants it settled before paying anything else.", "Credit note requested"),
    ),
}

# The visit plan for the month: no outcome yet, only an agenda.
PLANNED = (
    ("Planned visit: {product} review", "Agenda: {product} usage, renewal dates, open tickets. Meet {contact} and the site team."),
    ("Planned visit: quarterly catch-up", "Agenda: review the quarter with {contact}, present the {product} roadmap, agree next quarter's priorities."),
    ("Planned meeting: expansion", "Agenda: scope the {product} expansion with {contact}; bring pricing for two options."),
)

REACTIONS = ("Interested, asked for pricing", "Very positive, wants a trial",
             "Lukewarm: happy with the current setup", "Concerned about price",
             "Not a fit this year", "Comparing us with {competitor}",
             "Wants references from similar customers", "Keen, needs IT sign-off")

NEXT_STEPS = ("Send revised quote", "Book technical workshop", "Share case study",
              "Confirm pilot scope", "Chase PO with procurement", "Schedule the QBR",
              "Send renewal proposal", "Follow up on open ticket",
              "Introduce product specialist", "Arrange site visit")

ESCALATED_TO = ("Support L2", "Head of Service Delivery", "Logistics Operations Manager",
                "Finance (credit control)", "Product Engineering")

RESOLUTIONS = ("Root cause found in the configuration; fix deployed and confirmed with the customer.",
               "Credit note issued; the customer confirmed the account is settled.",
               "Replacement shipped next day; the customer is satisfied.",
               "Patch released; two weeks of monitoring showed no recurrence.")

AT_RISK_ESCALATION = (
    "Critical: {product} down at all depots",
    "{contact} escalated a full outage of {product} across their depots: shipments tracked by "
    "hand for three days. Their COO is involved and has asked for a recovery plan and service "
    "credits. Raised with the Head of Service Delivery; promised a written plan within a week.",
    "Recovery plan promised",
)
