"""Common Norwegian given names and surnames for demo customers and users.

Lists are ordered roughly by frequency (SSB name statistics), so a generator that
prefers the front of a list gives a realistic spread: many Hansens, few Ødegårds.
"""

FIRST_NAMES: tuple[str, ...] = (
    "Anne", "Jan", "Inger", "Per", "Kari", "Bjørn", "Marit", "Ole", "Ingrid", "Lars",
    "Liv", "Kjell", "Eva", "Knut", "Berit", "Arne", "Astrid", "Svein", "Bjørg", "Hans",
    "Hilde", "Thomas", "Anna", "Geir", "Solveig", "Tor", "Marianne", "Morten", "Randi",
    "Terje", "Ida", "Odd", "Nina", "Erik", "Ragnhild", "Martin", "Elisabeth", "Andreas",
    "Kristin", "John", "Bente", "Anders", "Heidi", "Rune", "Silje", "Trond", "Hanne",
    "Tore", "Gerd", "Jon", "Linda", "Harald", "Tone", "Olav", "Tove", "Gunnar", "Elin",
    "Nils", "Anita", "Einar", "Wenche", "Espen", "Camilla", "Magnus", "Ellen", "Håkon",
    "Karin", "Øyvind", "Hege", "Jørgen", "Åse", "Stian", "Sigrid", "Kristian", "Ingeborg",
    "Jonas", "Mari", "Sindre", "Nora", "Eirik", "Emma", "Ståle", "Sofie", "Åge", "Maja",
    "Øystein", "Ingvild", "Pål", "Torill", "Sverre", "Grethe", "Asbjørn", "Gunn", "Bjørnar",
    "Synnøve", "Frode", "Jorunn", "Leif", "Sølvi", "Sigurd", "Målfrid", "Halvor", "Åshild",
    "Aksel", "Øydis", "Kåre", "Gro", "Dag", "Tordis", "Mohammad", "Aisha", "Piotr",
    "Agnieszka", "Ahmed", "Fatima",
)

LAST_NAMES: tuple[str, ...] = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
    "Kristiansen", "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg",
    "Haugen", "Hagen", "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen",
    "Halvorsen", "Henriksen", "Lund", "Sørensen", "Jakobsen", "Moen", "Gundersen",
    "Iversen", "Strand", "Solberg", "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen",
    "Bakken", "Kristoffersen", "Mathisen", "Lie", "Amundsen", "Nguyen", "Rasmussen",
    "Ali", "Lunde", "Solheim", "Berge", "Moe", "Nygård", "Bakke", "Kristensen",
    "Fredriksen", "Holm", "Lien", "Hauge", "Christensen", "Andresen", "Nielsen",
    "Knudsen", "Evensen", "Sæther", "Aas", "Myhre", "Hanssen", "Ahmed", "Haugland",
    "Thomassen", "Sivertsen", "Simonsen", "Danielsen", "Berntsen", "Sandvik", "Rønning",
    "Arnesen", "Antonsen", "Næss", "Vik", "Haug", "Ellingsen", "Thorsen", "Edvardsen",
    "Birkeland", "Isaksen", "Gulbrandsen", "Ruud", "Aasen", "Strøm", "Myklebust",
    "Tangen", "Ødegård", "Eliassen", "Helland", "Bøe", "Jenssen", "Aune", "Mikkelsen",
    "Tveit", "Brekke", "Abrahamsen", "Madsen", "Sætre", "Kvam", "Løken", "Bråthen",
    "Grønli", "Øien", "Vold", "Rød", "Fjeld", "Kleven", "Hovland", "Sundby", "Sørlie",
    "Østby", "Bjørnstad", "Røstad", "Løvås", "Skjetne", "Wold", "Hegge", "Nærland",
    "Bækken", "Kowalski", "Hussain", "Åsheim",
)
