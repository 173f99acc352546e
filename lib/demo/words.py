"""Name pools for the demo: people by country, company name parts, titles and phone formats.

Plain data. Company roots deliberately leave out the roots of the story accounts
(lib.demo.cast) and the product brands (lib.demo.texts), so generated names never collide
with them.
"""
from __future__ import annotations

FIRST_NAMES = {
    "us": """James Michael Robert David William Daniel Matthew Andrew Joshua Christopher Ryan
        Tyler Brandon Kevin Jason Eric Steven Mark Paul Brian Jennifer Jessica Ashley Emily
        Sarah Megan Lauren Rachel Amanda Nicole Stephanie Rebecca Laura Heather Melissa
        Kimberly Amy Angela Michelle Natalie""",
    "uk": """George Harry Jack Charlie Thomas James William Henry Alfie Edward Samuel Joseph
        Daniel Benjamin Luke Callum Rhys Owen Lewis Toby Amelia Olivia Isla Emily Poppy Ava
        Jessica Charlotte Grace Lucy Hannah Eleanor Harriet Imogen Holly Rebecca Katie
        Georgia Freya Alice""",
    "ie": """Sean Conor Ciaran Eoin Padraig Declan Niall Cian Darragh Ronan Aoife Siobhan
        Niamh Roisin Ciara Orla Sinead Grainne Maeve Aisling""",
    "in": """Aarav Vihaan Arjun Rohan Amit Vikram Karan Sanjay Anil Rajesh Suresh Nikhil
        Aditya Siddharth Varun Manish Deepak Pranav Kunal Harish Priya Ananya Diya Kavya Isha
        Neha Pooja Sneha Anjali Meera Divya Shreya Riya Lakshmi Aishwarya Nandini Swati Tanvi
        Kritika Aditi""",
    "de": """Lukas Jonas Leon Felix Maximilian Paul Jan Tobias Stefan Markus Andreas Florian
        Matthias Sebastian Jürgen Jörg Anna Lena Laura Julia Katharina Sarah Lisa Hannah
        Miriam Johanna Franziska Sabine Claudia Birgit""",
    "fr": """Lucas Hugo Louis Gabriel Arthur Jules Thomas Nicolas Julien Antoine Mathieu
        Pierre Camille Léa Chloé Manon Inès Juliette Élise Claire Margaux Pauline Céline
        Amélie""",
    "nl": """Daan Sem Levi Finn Milan Bram Thijs Jesse Ruben Joris Emma Julia Tess Fleur
        Anouk Lotte Sanne Eva Iris Femke""",
    "es": """Alejandro Pablo Daniel Javier Sergio Carlos Miguel Álvaro David Adrián Lucía
        María Paula Laura Marta Carmen Elena Sara Irene Cristina""",
}

LAST_NAMES = {
    "us": """Smith Johnson Williams Brown Jones Miller Davis Garcia Rodriguez Wilson Martinez
        Anderson Taylor Moore Jackson Martin Lee Harris Lewis Robinson Young Allen King
        Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips
        Evans Turner Parker Collins Edwards Stewart Morris Murphy Cook Rogers Reed Morgan
        Bailey Cooper Howard""",
    "uk": """Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Evans
        White Roberts Green Hall Wood Jackson Hughes Edwards Turner Hill Cooper Ward Morris
        Moore King Harrison Lewis Baker Lee Allen Morgan Price Shaw Carter Fletcher Holmes
        Palmer Marsh Barker Chapman Lawson Pearce Rowe Sutton Fox Gibson Lloyd Mason""",
    "ie": """Murphy Kelly O'Sullivan Walsh O'Brien Byrne Ryan O'Connor O'Neill Doyle McCarthy
        Gallagher Doherty Kennedy Lynch Quinn Brennan Nolan Fitzgerald Keane""",
    "in": """Sharma Verma Gupta Patel Shah Iyer Nair Reddy Rao Kumar Singh Joshi Desai
        Kulkarni Chatterjee Banerjee Mukherjee Das Bose Menon Pillai Agarwal Malhotra Kapoor
        Chopra Bhatia Saxena Srinivasan Krishnan Naidu Jain Sethi Ghosh Pandey Mishra Tiwari
        Chauhan Bhat Hegde Kohli""",
    "de": """Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch
        Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann
        Hartmann Lange Werner Krause Lehmann Köhler""",
    "fr": """Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon
        Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard
        André Mercier Dupont Lambert Bonnet François""",
    "nl": """de_Jong Jansen de_Vries van_den_Berg van_Dijk Bakker Janssen Visser Smit Meijer
        de_Boer Mulder de_Groot Bos Vos Peters Hendriks van_Leeuwen Dekker Brouwer""",
    "es": """García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín
        Jiménez Ruiz Hernández Díaz Moreno Muñoz Álvarez Romero Navarro Torres""",
}


def pool(text: str) -> list[str]:
    """Whitespace-separated words; '_' stands for a space inside one name (van_Dijk)."""
    return [w.replace("_", " ") for w in text.split()]


# Which name pool fits a country's people.
CULTURE = {
    "United States": "us", "Canada": "us", "United Kingdom": "uk", "Ireland": "ie",
    "Germany": "de", "France": "fr", "Netherlands": "nl", "Spain": "es", "India": "in",
}

REGION_COUNTRIES = {
    "North America": (("United States", "Canada"), (0.85, 0.15)),
    "UK & Ireland": (("United Kingdom", "Ireland"), (0.85, 0.15)),
    "Europe": (("Germany", "France", "Netherlands", "Spain"), (0.35, 0.30, 0.20, 0.15)),
    "India": (("India",), (1.0,)),
}
REGIONS = tuple(REGION_COUNTRIES)
REGION_WEIGHTS = (0.40, 0.20, 0.20, 0.20)
COUNTRY_REGION = {c: r for r, (cs, _) in REGION_COUNTRIES.items() for c in cs}

# Canada has no CAD rates in the demo: Canadian customers are billed in USD, as many are.
COUNTRY_CURRENCY = {
    "United States": "USD", "Canada": "USD", "United Kingdom": "GBP", "Ireland": "EUR",
    "Germany": "EUR", "France": "EUR", "Netherlands": "EUR", "Spain": "EUR", "India": "INR",
}
COUNTRY_LEGAL = {
    "United States": "Inc.", "Canada": "Inc.", "United Kingdom": "Ltd", "Ireland": "Ltd",
    "Germany": "GmbH", "France": "SAS", "Netherlands": "B.V.", "Spain": "S.L.",
    "India": "Pvt Ltd",
}
# A subsidiary is "<group> <tag>": Northwind Holdings -> Northwind Deutschland GmbH.
COUNTRY_SUBSIDIARY_TAG = {
    "United States": "US Inc.", "Canada": "Canada Inc.", "United Kingdom": "UK Ltd",
    "Ireland": "Ireland Ltd", "Germany": "Deutschland GmbH", "France": "France SAS",
    "Netherlands": "Nederland B.V.", "Spain": "España S.L.", "India": "India Pvt Ltd",
}
COUNTRY_TLD = {
    "United States": ".com", "Canada": ".ca", "United Kingdom": ".co.uk", "Ireland": ".ie",
    "Germany": ".de", "France": ".fr", "Netherlands": ".nl", "Spain": ".es", "India": ".in",
}
# Prefix + number of random digits. US/Canada use the fictional 555-01xx block and the UK
# Ofcom's drama range (020 7946 0xxx), so no demo number rings a real phone.
COUNTRY_PHONE = {
    "United States": ("+1 312 555 01", 2), "Canada": ("+1 416 555 01", 2),
    "United Kingdom": ("+44 20 7946 0", 3), "Ireland": ("+353 1 555 ", 4),
    "Germany": ("+49 30 ", 8), "France": ("+33 1 ", 8), "Netherlands": ("+31 20 ", 7),
    "Spain": ("+34 91 ", 7), "India": ("+91 98", 8),
}

INDUSTRIES = (
    "Technology", "Manufacturing", "Healthcare", "Financial Services", "Retail", "Energy",
    "Logistics", "Education", "Media", "Public Sector",
)
INDUSTRY_WEIGHTS = (0.16, 0.16, 0.10, 0.10, 0.12, 0.07, 0.10, 0.06, 0.06, 0.07)
INDUSTRY_NOUNS = {
    "Technology": ("Systems", "Software", "Technologies", "Digital", "Networks"),
    "Manufacturing": ("Manufacturing", "Industries", "Engineering", "Components", "Fabrication"),
    "Healthcare": ("Health", "Medical", "Clinics", "Pharma", "Care"),
    "Financial Services": ("Capital", "Financial", "Insurance", "Partners", "Finance"),
    "Retail": ("Retail", "Stores", "Foods", "Outfitters", "Markets"),
    "Energy": ("Energy", "Power", "Renewables", "Utilities", "Solar"),
    "Logistics": ("Logistics", "Freight", "Transport", "Shipping", "Distribution"),
    "Education": ("Learning", "Academy", "Education", "Schools", "Institute"),
    "Media": ("Media", "Studios", "Publishing", "Broadcasting", "Entertainment"),
    "Public Sector": ("Council", "Authority", "Agency", "Services", "Trust"),
}
# Councils and schools are not "Ltd": no legal suffix for these.
NO_LEGAL_SUFFIX = ("Public Sector", "Education")

COMPANY_ROOTS = pool("""
    Alder Amberfield Anvil Arden Ashcombe Aspen Atherton Avalon Balmoral Barrow Belmont Birch
    Blackwood Bluestone Bramble Bramwell Bristow Broadmoor Brookfield Burnham Caldwell Cambria
    Carlisle Cascade Castlegate Cedarline Chadwick Chester Clearwater Cobalt Colwyn Copperfield
    Corbin Cranford Crescent Crestview Dalton Danbury Darby Deepwell Denholm Derwent Dover
    Driftwood Dunmore Eastbrook Eastgate Elmstead Emberly Everest Evergreen Fairmont Fairview
    Falkirk Fenwick Fernbrook Firstlight Fleetwood Foxglove Franklin Galloway Garnet Glenbrook
    Goldcrest Granite Greystone Halden Halcyon Hampton Hartwell Hawthorn Hazelwood Helix Heron
    Highgate Hillcrest Holloway Horizon Hunter Ironbridge Ironwood Juniper Kendal Keystone
    Kingsley Kinross Lakeside Langley Larkspur Laurel Lexington Linden Lockwood Longview Lowell
    Lynwood Maplewood Marlow Meadowbrook Meridian Merrow Midland Millbrook Milestone Monarch
    Montrose Moorland Newbury Norcross Northgate Northstar Norwood Oakridge Oakmont Orchard
    Osprey Oxbow Paragon Parkside Pembroke Pennant Penrose Pinnacle Portland Prescott Quarry
    Quayside Radley Ravenscroft Redwood Regent Ridgeway Riverside Rockford Rosewood Rowan
    Rutland Saffron Salisbury Sandford Sapphire Seabrook Sedgwick Sherwood Silverline Skyline
    Southgate Sparrow Springfield Stafford Stanmore Starling Sterling Stonebridge Stratton
    Sutherland Swift Sycamore Tamarind Tanglewood Thornbury Thistle Timberline Trafalgar
    Trinity Tudor Upland Valemont Vantage Verity Vireo Wakefield Walden Warwick Waverley
    Wellington Westbrook Westfield Whitmore Wickham Willow Windmere Winslow Woodland Wren
    Yardley Zephyr Aravali Kaveri Nilgiri Sahyadri Vindhya Shakti Prakash Surya Akash Kiran
    Navya Vasant Indus Deccan Konark Ajanta Alpen Rhein Elbe Loire Tagus Norden Baltica Iberia
    Provence Bavaria Zuider Delft Lindholm Ebro
""")
COMPANY_MIDDLES = pool("""
    Valley River Bay Peak Ridge Stone Bridge Field Point Lake Forest Meadow Park Hill North
    West East South Blue Green Silver Golden Red Iron Crown Eagle Falcon Lion Royal United
    Central Pacific Atlantic Coastal Highland Metro Prime Global Star Harvest
""")

# Who the customer's people are, by contact role.
CONTACT_TITLES = {
    "decision_maker": ("Chief Operating Officer", "VP Procurement", "Managing Director",
                       "Head of Purchasing", "Chief Executive Officer", "VP Operations"),
    "influencer": ("Operations Manager", "Category Manager", "Head of Strategy",
                   "Programme Manager", "Regional Director"),
    "user": ("Team Lead", "Plant Manager", "Service Coordinator", "Office Manager",
             "Warehouse Supervisor"),
    "finance": ("Finance Director", "Financial Controller", "Accounts Payable Lead",
                "Head of Finance"),
    "technical": ("IT Manager", "Head of Engineering", "Solutions Architect", "CTO",
                  "Systems Administrator"),
}
CONTACT_ROLES = tuple(CONTACT_TITLES)
