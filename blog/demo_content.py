"""Original demo content loaded into an empty blog: two authors, ten posts and comments.

Everything here is invented for the demo: the towns, people, organisations and events are
fictional. Post publication times are relative (``days_ago``) so the archive always looks
current; negative values are in the future (scheduled posts).
"""

from __future__ import annotations

AUTHORS: list[dict[str, str]] = [
    {
        "key": "mara",
        "name": "Mara Ellwood",
        "email": "mara.ellwood@example.org",
        "bio": "Mara covers the town hall, transport and anything that involves a timetable.",
    },
    {
        "key": "tobias",
        "name": "Tobias Renn",
        "email": "tobias.renn@example.org",
        "bio": "Tobias writes about science, software and the outdoors around the Wend Valley.",
    },
]

POSTS: list[dict[str, object]] = [
    {
        "slug": "hollinsford-library-reopens-after-flood",
        "title": "Hollinsford Library Reopens Eleven Months After the Flood",
        "summary": (
            "The Mill Street library is open again after last winter's flood, rebuilt to get "
            "wet and dry out fast, with three quarters of its local history archive saved."
        ),
        "author": "mara",
        "tags": ["Local News", "Community", "Culture"],
        "status": "published",
        "days_ago": 2,
        "body": """\
When the River Wend burst its banks last winter, the water rose to just under a metre inside
the Hollinsford Public Library on Mill Street. By the time it drained away, it had taken with
it the children's section, most of the local history room and the building's entire
ground-floor wiring. On Saturday morning, eleven months later, the doors opened again to a
queue that stretched past the bakery on the corner.

Around four hundred people came through in the first two hours, according to a tally kept by
volunteers with a clicker at the entrance. Many of them headed straight for the new reading
room at the back, which now looks out over the river the building once had to be rescued from.

## What changed inside

The most visible change is height. Every shelf on the ground floor now sits on a raised
plinth, and the lowest shelf begins forty centimetres above the floor. Electrical sockets have
moved up the walls to waist level, and the main distribution board has been relocated to the
first floor. The architects describe the approach as *designing to get wet*: the building
assumes the river will come back, and aims to be mopped out and reopened within a week rather
than a year.

Other changes are less obvious but just as deliberate:

- Lime plaster instead of gypsum on the lower walls, which dries out rather than crumbling.
- Tiled floors with drainage channels in place of the old carpet.
- Removable flood boards that staff can slot into the doorways in under ten minutes.
- A sensor in the basement that texts the duty manager the moment water appears.

## Saving the local history room

The hardest loss was the archive. About two thousand items, including parish magazines,
photographs and the minute books of the old Hollinsford Rowing Club, sat underwater for
roughly thirty hours. Rather than throw them away, library staff froze them. A chest freezer
borrowed from the butcher on Station Road was the first, and within a week there were six,
lined up in the garage of a retired teacher, Ruth Penhallow.

> "People thought we were mad," Penhallow said on Saturday, standing beside a glass case of
> restored photographs. "But freezing stops the mould, and it buys you time. You can thaw one
> box at a time and deal with it properly, instead of panicking over everything at once."

Over the summer, a team of around twenty volunteers, trained by a conservator from the county
record office, worked through the boxes on Tuesday and Thursday evenings. Roughly three
quarters of the collection has been saved. The remainder was photographed page by page before
it was discarded, and the images will be published on the library's
[digital archive](https://example.org/hollinsford-library/archive) over the coming months.

## Who paid for it

The repairs cost a little over 610,000 pounds. Most of that came from the council's insurance,
with the flood-resilience work funded by a regional grant for public buildings in flood zones.
A further 38,000 pounds was raised locally, much of it through a sponsored swim at the outdoor
pool and a long-running book sale in the church hall that, staff joked, sold some of the same
donated paperbacks three times over.

Head librarian Daniel Oyelaran said the local money mattered more than its size suggests. "It
paid for the things no grant will cover," he said. "The beanbags. The new picture books. The
mural. Those are what make it feel like ours again."

## What happens next

The library returns to its **full opening hours** from Monday, including the late Thursday
opening until eight. Services that moved to the community centre during the closure,
including the homework club and the Wednesday morning rhyme time for babies and toddlers, come
home this week.

There is still work to do. The lift is waiting for a replacement control panel and will be
out of service for another six weeks or so, which means the first floor can only be reached by
stairs for now; staff will fetch books from upstairs on request. The library is also looking
for volunteers to help catalogue the restored archive. Anyone interested can sign up at the
front desk or through the
[volunteer page](https://example.org/hollinsford-library/volunteer).

Nobody on Mill Street is pretending the river has gone anywhere. But on Saturday, with
children sprawled across beanbags in the new picture-book corner and a queue at the returns
desk for the first time in almost a year, the mood was less about the flood than about what
comes after it.
""",
        "comments": [
            {
                "name": "Gwen Ashdown",
                "website": "",
                "body": (
                    "Went along on Saturday with my two. The new picture-book corner is "
                    "*lovely*, and the staff looked so happy to be back."
                ),
                "minutes_after": 240,
                "replies": [
                    {
                        "name": "Hollinsford Library",
                        "website": "https://example.com/hollinsford-library",
                        "body": (
                            "Thank you, Gwen! Rhyme time is back on Wednesday mornings from "
                            "this week."
                        ),
                        "minutes_after": 390,
                        "replies": [],
                    },
                ],
            },
            {
                "name": "Peter Valance",
                "website": "https://example.com/peterv",
                "body": (
                    "The freezer trick is brilliant. My grandad's rowing club photos are in "
                    "that archive, so I'm very glad they weren't binned."
                ),
                "minutes_after": 600,
                "replies": [],
            },
            {
                "name": "Sunita Rao",
                "website": "",
                "body": "Any news on the lift? My mum can't manage the stairs.",
                "minutes_after": 1440,
                "replies": [
                    {
                        "name": "Hollinsford Library",
                        "website": "https://example.com/hollinsford-library",
                        "body": (
                            "Hi Sunita, the new control panel is due in about six weeks. Until "
                            "then, just ask at the desk and we'll bring books down for her."
                        ),
                        "minutes_after": 1500,
                        "replies": [],
                    },
                ],
            },
        ],
    },
    {
        "slug": "wend-valley-solar-coop-switches-on",
        "title": "Wend Valley Energy Co-op Switches On Its First Solar Roofs",
        "summary": (
            "Twelve community-owned solar installations on schools, barns and chapels are now "
            "generating, funded by 312 local members through community shares."
        ),
        "author": "tobias",
        "tags": ["Community", "Environment", "Technology"],
        "status": "published",
        "days_ago": 9,
        "body": """\
Twelve roofs in Hollinsford and Lowe Ferring started feeding electricity into the grid this
week, the first installations owned by the Wend Valley Energy Cooperative. The co-op, founded
two years ago by a group of neighbours who met at a climate meeting in the village hall, now
has 312 members and has raised just over 290,000 pounds in community shares.

The panels went up on a mix of buildings: the primary school in Lowe Ferring, the Hollinsford
leisure centre, two farm barns, the scout hut, and seven church and chapel roofs. Between them
they add up to around 410 kilowatts of capacity, enough to generate roughly as much
electricity in a year as 140 typical homes use.

## How the model works

The co-op does not sell power directly to households. Instead, it owns the panels and leases
the roof space. The building owner buys the electricity generated on their roof at a fixed
price below what they currently pay their supplier, and any surplus is exported to the grid.
The income pays back members, maintains the panels and funds a small community pot.

Membership shares start at 50 pounds. Members receive a modest annual interest payment,
targeted at 4 per cent, and each member has **one vote** regardless of how many shares they
hold. Treasurer Alys Brennan says that last point matters to people.

> "We've got a retired engineer who put in twenty thousand and a sixth-former who put in fifty
> from her summer job," Brennan said. "At the AGM they have exactly the same say. That
> surprises people, and I think it's why they trust us."

## Why schools and churches

The first wave of roofs was chosen for practical reasons. Schools and community buildings use
most of their electricity during the day, when the panels are generating, so more of the
power is used on site rather than exported cheaply. They also tend to have large, unshaded
roofs and long-term owners, which makes a twenty-year lease straightforward.

Churches proved trickier than expected. Three of the seven needed permission from church
committees, and one, St Aidan's in Castleby, needed a structural survey of its Victorian roof
trusses before anyone was allowed to climb up. The survey found rot in two beams, which the
parish has since replaced. "In a funny way the solar project saved the roof," said
churchwarden Colin Fairweather.

## The numbers so far

The co-op publishes live generation figures on its
[website](https://example.org/wend-valley-energy/live), and members have been watching
closely. In the first seven days, during a mostly overcast week, the twelve sites generated
about 6,800 kilowatt-hours. Output is expected to roughly triple on bright summer days.

The savings for the host buildings are modest but meaningful. The primary school expects to
cut its electricity bill by around a quarter, money the head teacher says will go towards a
part-time teaching assistant.

## The community pot

Once members have been paid, a share of any surplus goes into a community fund. The co-op's
rules commit at least 15 per cent of surplus to local projects, with members voting on where
it goes. Ideas already suggested include draught-proofing for older homes, a loan scheme for
electric bikes, and a heat pump for the village hall.

The pot is unlikely to be large in the first couple of years, while the co-op pays down its
start-up costs. Brennan is candid about that. "This is a slow project," she said. "The panels
will be up there for twenty-five years. We're not in a hurry."

## What comes next

A second share offer is planned for the spring, aiming to raise a further 200,000 pounds for
a ground-mounted array on a field near Brackenmoor that the landowner has offered on a long
lease. That project will need planning permission, and the co-op has promised a public
drop-in session before it submits an application.

Roof owners interested in hosting panels, and anyone who wants to join, can find details and
the full share offer document on the co-op's site. Membership is open to anyone over sixteen
who lives or works in the county.
""",
        "comments": [
            {
                "name": "Harriet Moss",
                "website": "",
                "body": (
                    "Proud to be member number 87! Good to see the generation figures climbing "
                    "even in this grey weather."
                ),
                "minutes_after": 180,
                "replies": [],
            },
            {
                "name": "Owen Liddell",
                "website": "https://example.com/owen",
                "body": (
                    "Will there be a chance to comment on the Brackenmoor field before it goes "
                    "to planning? I walk my dog there most mornings."
                ),
                "minutes_after": 720,
                "replies": [
                    {
                        "name": "Alys Brennan",
                        "website": "",
                        "body": (
                            "Yes, definitely. We'll hold a drop-in at Brackenmoor village hall "
                            "first, and the date will be posted on our site."
                        ),
                        "minutes_after": 900,
                        "replies": [],
                    },
                ],
            },
        ],
    },
    {
        "slug": "wend-valley-line-timetable-change",
        "title": "Wend Valley Line Timetable Change: What You Need to Know",
        "summary": (
            "Half-hourly trains and faster journeys between Hollinsford and Kingsmere, but an "
            "earlier last train and far fewer stops at Castleby Halt."
        ),
        "author": "mara",
        "tags": ["Transport", "Local News"],
        "status": "published",
        "days_ago": 17,
        "body": """\
Trains on the Wend Valley Line will run to a new timetable from this Sunday, the biggest
change to the service in more than a decade. The headline is good news for most commuters: a
train every half hour between Hollinsford and Kingsmere for most of the day, up from roughly
one an hour. But the change also brings an earlier last train on weekday evenings, and one
station will lose most of its stopping services.

Wend Valley Railways says the new pattern is possible because of the passing loop completed
at Ashcombe last autumn, which lets trains cross each other halfway along the single-track
branch instead of waiting at either end.

## The main changes

Here is the short version for passengers:

1. **Half-hourly trains** between Hollinsford and Kingsmere from 06:30 to 19:30 on weekdays,
   and from 08:00 to 18:00 on Saturdays.
2. **Faster journeys.** Most services will take 34 minutes end to end, down from 41, because
   trains no longer sit at Ashcombe waiting for the opposite service.
3. **An earlier last train.** The last weekday departure from Kingsmere moves from 23:10 to
   22:40.
4. **Fewer stops at Castleby Halt.** Only four trains a day in each direction will call there,
   all at peak times.
5. **Sunday services** stay hourly, but start an hour earlier, at 08:00.

Full timetables are available at stations and on the
[operator's website](https://example.org/wend-valley-railways/timetable).

## Castleby Halt

The reduction at Castleby Halt has caused the most anger. The village has around 900
residents, and the halt is a twenty-minute walk from the nearest bus stop. The operator says
the platform is too short for the three-carriage trains that will run at peak times, and that
stopping every train there would make it impossible to keep the half-hourly pattern.

Residents are not convinced. At a packed meeting in the village hall last week, parish
councillor Janet Okafor presented a petition with 412 signatures calling for at least an
hourly stop.

> "We're being told the line is getting better, and for most people it is," Okafor said. "But
> if you live in Castleby and work shifts, it has just got worse. We're asking for something
> very simple: a train an hour, and a platform long enough to use it."

Wend Valley Railways has said it will review stopping patterns at Castleby after six months,
and that a platform extension is on its list for the next funding round, though no date has
been set.

## Late-night travellers

The earlier last train worries hospitality workers and anyone heading home after an evening
in Kingsmere. The operator says the final half hour is needed for overnight engineering work
on the new signalling, and that the 22:40 departure is "expected to be temporary". It has not
said how long temporary is.

In the meantime, the county council has agreed to extend the 23:15 X7 bus from Kingsmere to
Hollinsford on Fridays and Saturdays so that it also serves Ashcombe. Train tickets will be
accepted on that bus for the first three months.

## Tickets and fares

Fares are not changing with the timetable, but a new *carnet* of ten single journeys will be
sold at a 20 per cent discount, aimed at part-time commuters who don't travel often enough to
justify a season ticket. Carnets can be bought in the operator's app or at the staffed ticket
office in Hollinsford, which keeps its current opening hours.

Bicycles are still carried free of charge, with space for up to four per train. At peak times
the operator recommends reserving a space in advance, as the new timetable is expected to
bring busier trains.

## Tell us how it goes

We'll be riding the new timetable in its first week and reporting back. If your train is
late, early, packed, or surprisingly empty, we'd like to hear about it in the comments below.
""",
        "comments": [
            {
                "name": "Rob Tennant",
                "website": "",
                "body": (
                    "Half-hourly trains are a huge improvement for me. That shaves twenty "
                    "minutes off my morning."
                ),
                "minutes_after": 60,
                "replies": [],
            },
            {
                "name": "Lena Harcourt",
                "website": "https://example.com/lena",
                "body": (
                    "Castleby resident here. Four trains a day is *not* a service. I've signed "
                    "the petition."
                ),
                "minutes_after": 150,
                "replies": [
                    {
                        "name": "Rob Tennant",
                        "website": "",
                        "body": (
                            "Fair point, I hadn't thought about the halt. Hope they extend the "
                            "platform soon."
                        ),
                        "minutes_after": 210,
                        "replies": [
                            {
                                "name": "Lena Harcourt",
                                "website": "https://example.com/lena",
                                "body": (
                                    "Thanks Rob. The six-month review is our best chance, so "
                                    "keep an eye out for the consultation."
                                ),
                                "minutes_after": 300,
                                "replies": [],
                            },
                        ],
                    },
                ],
            },
            {
                "name": "Marcus Bell",
                "website": "",
                "body": "Can you reserve a bike space on the Saturday trains too, or only at peak?",
                "minutes_after": 480,
                "replies": [
                    {
                        "name": "Mara Ellwood",
                        "website": "",
                        "body": (
                            "We asked: reservations work on every service, though outside peak "
                            "times you'll usually be fine without one."
                        ),
                        "minutes_after": 700,
                        "replies": [],
                    },
                ],
            },
            {
                "name": "Denise Kaur",
                "website": "",
                "body": (
                    "The 22:40 last train is going to be a real problem for anyone working in "
                    "the restaurants in Kingsmere."
                ),
                "minutes_after": 1300,
                "replies": [],
            },
            {
                "name": "Felix Ambrose",
                "website": "https://example.com/felix-rides",
                "body": "First week report: my 07:32 was on time four days out of five. Not bad.",
                "minutes_after": 10080,
                "replies": [],
            },
        ],
    },
    {
        "slug": "wendwatch-2-0-released",
        "title": "Wendwatch 2.0: The Volunteer Flood Gauge Software Gets a Rewrite",
        "summary": (
            "The open-source software behind Hollinsford's river-level dashboard reaches 2.0, "
            "with SQLite storage, per-sensor alerts and a much simpler setup for other towns."
        ),
        "author": "tobias",
        "tags": ["Technology", "Environment", "Science"],
        "status": "published",
        "days_ago": 30,
        "body": """\
Wendwatch, the open-source software that powers the volunteer river-level dashboard many
Hollinsford residents check every time it rains, has reached version 2.0. The release,
published on Tuesday after fourteen months of work, is a near-complete rewrite that its
maintainers say will make it far easier for other towns to run their own copy.

The project started as a weekend hack by two members of the Hollinsford Makerspace, who
strapped an ultrasonic distance sensor to the underside of the footbridge by the weir and
wrote a script to post the readings online. It now reads from nine sensors along the Wend and
its tributaries, and during last winter's flood the dashboard was viewed more than 60,000
times in two days.

## What's new in 2.0

The headline changes, according to the release notes:

- A new storage layer based on plain SQLite files, replacing a hand-rolled CSV format that
  had become hard to maintain.
- Configurable alert thresholds per sensor, with notifications by email, SMS gateway or a
  simple webhook.
- An offline-friendly web dashboard that caches the last 48 hours of readings, so it still
  shows something useful when the mobile signal drops.
- Support for pressure-based sensors as well as ultrasonic ones, which matters for culverts
  and narrow channels.
- A documented plugin interface for adding new sensor types.

The old version ran as a single long script. The new one is split into a small collector
daemon and a separate web service, which can run on different machines.

## Running your own

Lead maintainer Priya Lambert says the goal of the rewrite was to make the software *boring*
to install. A basic setup now needs a single configuration file describing each sensor, and
the project ships a command, `wendwatch check`, that validates the file and tests each sensor
connection before anything is stored.

A minimal configuration for one sensor looks like this:

```toml
[site]
name = "Footbridge by the weir"
timezone = "UTC"

[[sensor]]
id = "weir-footbridge"
kind = "ultrasonic"
mount_height_cm = 412
poll_seconds = 300

[sensor.alerts]
warn_cm = 180
alarm_cm = 240
```

Readings are stored as water depth, calculated from the mount height minus the measured
distance, so a sensor that gets knocked or re-mounted only needs one number changed.

## A community-run project

Wendwatch has no paid staff. Around thirty people have contributed code over the years, and a
larger group helps with the hardware: climbing down riverbanks to clear spider webs off the
sensors is, Lambert says, the least glamorous and most important job in the project.

> "Every flood, someone asks whether the data is official," she said. "It isn't, and we say so
> clearly on the dashboard. But it's ours, it's open, and it updates every five minutes. People
> have come to rely on it, and that's why we wanted to make it solid."

The project is released under the MIT licence. Source code, issue tracker and installation
guide are on the [project site](https://example.org/wendwatch), and the maintainers hold an
online drop-in call on the first Monday of every month for anyone setting up a new
installation.

## Other towns joining in

Two other communities have already installed the 2.0 release candidates. A residents' group
in Lowe Ferring put a pressure sensor in the culvert under the high street, which has flooded
three times in five years, and a secondary school in the next county uses Wendwatch in its
geography lessons, with pupils analysing how their own stream responds to rainfall.

Lambert would like to see a shared map of installations eventually, but is wary of scope
creep. "Version 2.0 is about doing one job well," she said. "Ask me about maps at version 3."

## Upgrading

Existing installations can migrate with the bundled `wendwatch import-csv` command, which
reads the old data files and writes them into the new format. The maintainers recommend
running both versions side by side for a week before switching off the old one, and say the
1.x series will receive **security fixes** until the end of next year.
""",
        "comments": [
            {
                "name": "Tom Halloran",
                "website": "https://example.com/tomh",
                "body": (
                    "Upgraded our Lowe Ferring install last night. `wendwatch check` caught a "
                    "typo in my config that would have cost me an hour of head-scratching."
                ),
                "minutes_after": 300,
                "replies": [],
            },
            {
                "name": "Bea Castellano",
                "website": "",
                "body": (
                    "Is there a way to export readings for a school project? My class would "
                    "love to compare the Wend with our local brook."
                ),
                "minutes_after": 2000,
                "replies": [
                    {
                        "name": "Priya Lambert",
                        "website": "https://example.com/priya",
                        "body": (
                            "Yes! Every sensor page has a CSV export. Drop into the "
                            "[Monday call](https://example.org/wendwatch/community) and we'll "
                            "help you set it up."
                        ),
                        "minutes_after": 2300,
                        "replies": [],
                    },
                ],
            },
        ],
    },
    {
        "slug": "brackenmoor-dark-sky-designation",
        "title": "Brackenmoor Common Named a Dark-Sky Discovery Site",
        "summary": (
            "After eighteen months of night-time measurements by local astronomers, "
            "Brackenmoor Common has been recognised for its dark skies, with a free star party "
            "planned for the weekend."
        ),
        "author": "tobias",
        "tags": ["Science", "Environment", "Community"],
        "status": "published",
        "days_ago": 41,
        "body": """\
Brackenmoor Common has been formally recognised as a dark-sky discovery site by the Northern
Skies Trust, a charity that assesses how much artificial light reaches the night sky. The
designation, announced on Monday, makes the common one of only a handful of listed sites in
the county, and the local astronomy society is marking it with a free star party this
weekend.

On a clear, moonless night at Brackenmoor, the Milky Way is visible as a pale band overhead,
and the society's measurements show the sky there is roughly four times darker than in the
centre of Hollinsford, just five kilometres away.

## Measuring the dark

The application took eighteen months. Members of the Wend Valley Astronomical Society took
readings with a handheld sky-quality meter on more than sixty nights, at fixed points across
the common, and recorded cloud cover, moon phase and any nearby light sources each time.

Society secretary Imogen Hartley says the routine became something of a ritual. "You drive up
after dinner, switch off the engine, let your eyes adjust for twenty minutes, then take five
readings in each direction," she said. "Some nights you get nothing because of cloud. Some
nights you stay until two in the morning because it's just too beautiful to leave."

The best readings came on winter nights with no moon, when the common rated as *very dark* on
the trust's scale. The main source of light pollution turned out to be a single floodlit yard
at a farm on the western edge, whose owner has since agreed to fit a shielded, downward-facing
lamp on a timer.

## What the designation means

Being listed does not come with legal protection. It does, however, give the common a higher
profile, and gives the parish council a reason to think about lighting whenever new
development is proposed nearby. The council has already agreed to switch the three street
lights along the common road to warmer, dimmer lamps that turn off at midnight.

> "Nobody is asking anyone to live in the dark," said parish council chair Graham Whitlock.
> "It's about pointing light where it's needed, not up into the sky. Most of the time that
> saves money too."

## This weekend's star party

The society's star party runs from 7pm on Saturday at the car park by the cattle grid, with
Sunday evening held in reserve if the weather is poor. Members will bring around a dozen
telescopes, and there will be a short talk for beginners at 7:30pm.

If the sky cooperates, targets will include:

- The Moon, early in the evening before it sets, when craters along the shadow line stand out
  in sharp relief.
- Jupiter and its four bright moons, which can be picked out even with steady binoculars.
- The Pleiades, a compact cluster of blue-white stars low in the east.
- The Andromeda galaxy, a faint smudge to the naked eye and a genuine surprise for many
  first-time viewers.

## Tips for first-timers

Visitors are asked to bring a torch with a **red filter**, or to cover an ordinary torch with
red cellophane, because white light ruins the dark adaptation of everyone nearby. Warm
clothing is essential: even on mild evenings the common is exposed, and standing still at a
telescope is colder than it sounds. A flask and a folding chair are recommended.

Parking is limited, so the society suggests car-sharing, and there will be no lights on the
common beyond those the organisers bring. Dogs are welcome on leads, but the society asks that
phone screens stay dimmed and that nobody uses a camera flash near the telescopes.

Details, including a weather update on the day, are on the
[society's events page](https://example.org/wvas/events). The society also lends out
telescopes to members through the library, for anyone who catches the bug.
""",
        "comments": [],
    },
    {
        "slug": "farmers-market-winter-season",
        "title": "Farmers' Market Moves Indoors for Its First Winter Season",
        "summary": (
            "For the first time in nineteen years, the Hollinsford Farmers' Market will keep "
            "trading through the colder months, moving into the Corn Exchange on Saturdays."
        ),
        "author": "mara",
        "tags": ["Community", "Local News"],
        "status": "published",
        "days_ago": 58,
        "body": """\
The Hollinsford Farmers' Market will keep trading through the winter for the first time in
its nineteen-year history, moving from the cobbles of Market Square into the old Corn Exchange
from next Saturday. Organisers say the move has been years in the planning, and that
stallholders were asking for it long before the market's record-breaking summer.

Until now the market closed after its harvest weekend and returned in spring, leaving
producers to rely on farm gates, veg box schemes and the weekly market in Kingsmere through
the colder months.

## Where and when

The market will run every Saturday from 9am to 1pm in the Corn Exchange on Bridge Street.
Around twenty-two stalls will fit inside, compared with up to forty in the square during
summer, so some traders will alternate weeks. A rota is posted on the
[market's website](https://example.org/hollinsford-market).

The main changes for shoppers:

- **Indoors**, at the Corn Exchange, with step-free access from the Bridge Street entrance.
- **A slightly later start**, 9am rather than 8am, to give traders time to set up in the dark.
- **Card payments** at every stall, after the market bought a set of shared card readers for
  its smaller producers.
- **Hot food** from a different street-food stall each week, plus the Corn Exchange cafe,
  which will open on market days.

## Why now

Market manager Keisha Barnwell says the decision came down to one number: the share of
stallholders' annual income earned during the outdoor season. A survey last year found that
for most of the small producers, it was more than 80 per cent.

> "If you grow vegetables, or keep a few hundred hens, the winter is when you're most
> exposed," Barnwell said. "Your costs don't stop. Your customers just can't find you. We
> wanted to give people somewhere to sell all year round, so they're not starting from zero
> every spring."

The Corn Exchange, owned by the town council, had mostly been used for occasional concerts
and the annual beer festival. The council agreed to let the hall at a reduced rate on
Saturday mornings for an initial two-year trial, on condition that the market covers its own
cleaning and stewarding.

## What you'll find

Winter markets are different, and traders are keen to manage expectations. There will be
fewer soft fruits and salads, and more of what the season does well: leeks, kale, squash,
parsnips, celeriac, apples from storage, and the first forced rhubarb towards the end of the
season.

Several stallholders who only trade in winter will join the line-up, including a tree grower
from Ashcombe, a cider maker, and a florist who makes wreaths from foraged holly and ivy.
Meat, cheese, eggs, bread and honey producers will be there throughout.

Grower Tomasz Nowicki, whose family runs a two-acre market garden outside Lowe Ferring, has
been experimenting with unheated polytunnels to stretch his season. "I'll have salad leaves
most weeks, just not many of them," he said. "Come early if you want some. I'm *serious*."

## Getting there

Parking in the Bridge Street car park is free for the first hour on Saturdays. The market is
a five-minute walk from the station, and the council has added temporary cycle stands outside
the Corn Exchange. Shoppers are encouraged to bring their own bags and containers, and several
stalls offer a small discount on refills of oil, honey and eggs.

The market returns to Market Square in spring. Barnwell says the plan is to make the indoor
season permanent if the first winter goes well. "The test is simple," she said. "Do people
come when it's cold and dark? I think they will."
""",
        "comments": [
            {
                "name": "Alan Drewitt",
                "website": "",
                "body": (
                    "Great news. The Corn Exchange is a lovely building and it deserves more use "
                    "than one beer festival a year."
                ),
                "minutes_after": 400,
                "replies": [],
            },
        ],
    },
    {
        "slug": "volunteers-river-wend-clean-up",
        "title": "Two Hundred Volunteers Pull Half a Tonne of Rubbish from the Wend",
        "summary": (
            "The biggest river clean-up the Wend has seen removed 540 kg of rubbish, including "
            "eleven shopping trolleys and most of a rowing boat."
        ),
        "author": "mara",
        "tags": ["Environment", "Community", "Local News"],
        "status": "published",
        "days_ago": 75,
        "body": """\
More than two hundred volunteers spent Sunday wading, raking and hauling along a
six-kilometre stretch of the River Wend, in the largest clean-up the river has seen. By the
time the last skip was closed at 4pm, they had removed an estimated 540 kilograms of rubbish,
including eleven shopping trolleys, three bicycles, a garden bench and what appeared to be
most of a rowing boat.

The day was organised by Friends of the Wend, a volunteer group that has run small clean-ups
twice a year since it was formed. This year, after the flood left debris scattered along the
banks and caught in trees well above the normal water line, the group decided to go bigger.

## How the day worked

Friends of the Wend coordinator Samir Haddad says planning started three months in advance,
and that safety came first. Moving water, steep banks and unknown objects in the mud are a
risky mix for untrained volunteers, so the day was run in stages:

1. Volunteers registered at one of four bases along the river and were given gloves, a litter
   picker and a high-visibility vest.
2. Everyone attended a ten-minute safety briefing covering sharp objects, slippery banks and
   what not to touch.
3. Teams of six to eight were assigned a section of bank, each with a team leader carrying a
   first aid kit and a radio.
4. Only volunteers with waders and previous training worked in the water, and never in
   stretches deeper than knee height.
5. Anything too heavy, sharp or unidentifiable was flagged with a marker and left for the
   council's specialist team to collect on Monday.

## What they found

The most common item, by a distance, was the plastic drinks bottle: team leaders' tallies
recorded more than 1,800 of them. Other finds included:

- Around 300 metres of agricultural plastic and baling twine, mostly caught in willows after
  the flood.
- Dozens of traffic cones, some of them decades old judging by the design.
- A motorbike helmet, a sealed tin of paint and a surprisingly cheerful garden gnome.
- Car tyres, which were collected separately for recycling.

Some finds made volunteers smile. One team pulled out a waterlogged wallet containing a
library card and a long-expired bus pass. Its owner, now in her sixties, was traced through
the library and collected it on Monday, along with a round of applause from the staff.

## Why it matters

Plastic in the river doesn't just look bad. It breaks into smaller fragments that are eaten
by fish and invertebrates, and larger items snag branches and debris, building small dams
that can make flooding worse in places.

Ecologist Dr Hannah Lowe, who works for the Wend Catchment Trust and joined the clean-up for
the day, said the river is in better shape than many people assume.

> "We've seen otters back on this stretch for three years running, and the kingfishers are
> doing well," she said. "The river is resilient. What it can't do is get rid of a shopping
> trolley on its own."

## Sorting and recycling

Everything collected was sorted at the main base in Riverside Park. Metal went to a local
scrap dealer, who donated the proceeds back to the group. Tyres and the remains of the rowing
boat were taken away by the council. About a third of the total weight was recyclable; the
rest went to landfill.

Haddad would like that proportion to improve next year. The group plans to hand out separate
bags for cans, bottles and general waste from the start of the day, rather than sorting
everything in one *very* long session at the end.

## The next clean-up

Friends of the Wend will hold a smaller follow-up session in six weeks, focused on the
stretch below the weir that volunteers could not safely reach this time. New volunteers are
welcome, and **no experience is needed** for bank-side work. Details and a sign-up form are on
the [group's website](https://example.org/friends-of-the-wend). Children are welcome with an
adult, and the group asks everyone to wear sturdy, closed-toe shoes.
""",
        "comments": [],
    },
    {
        "slug": "museum-railway-exhibition-opens",
        "title": "Hollinsford Museum Opens an Exhibition on the Railway That Made the Town",
        "summary": (
            "A new exhibition built largely from objects lent by local families tells the story "
            "of the Wend Valley Line, from the navvies who dug it to the campaign that saved it."
        ),
        "author": "tobias",
        "tags": ["Culture", "Transport", "Local News"],
        "status": "published",
        "days_ago": 96,
        "body": """\
The Hollinsford Museum has opened a new exhibition telling the story of the Wend Valley Line,
from the navvies who dug its cuttings to the campaign that saved it from closure. *Steam,
Sheep and Season Tickets* fills the museum's upper gallery and runs until the end of next
year.

The exhibition draws largely on objects donated or lent by local families, and curator Miriam
Asante says the response to an appeal last year was far bigger than the museum expected. "We
asked for a few photographs," she said. "We got a signal lamp, four station clocks, a guard's
whistle still in its original box, and somebody's grandfather's entire collection of tickets,
sorted by year in shoeboxes."

## From sheep town to commuter town

The exhibition's argument is that the railway changed Hollinsford more than any other single
event in its history. Before the line opened, the town was a small wool market, reached by a
turnpike road and the river. Within twenty years of the first train, the population had
nearly doubled. Mills could send cloth to the city in a morning, and farmers could get milk to
Kingsmere before it soured.

A wall of enlarged maps shows the town growing outward from the station, with rows of terraced
houses appearing along what are now Station Road and Mill Street. Panels explain how the
station hotel, the Corn Exchange and even the town's first public library were built on the
back of railway money.

## The people who built it

One room is given over to the workers who built the line. Records of their lives are thin,
and the curators are honest about the gaps. Parish registers show marriages between navvies
and local women, and the burials of three men killed when a cutting collapsed near Ashcombe.
The museum has commissioned a small memorial plaque to the three, to be unveiled at the
cutting in the spring.

> "It's easy to tell railway history as a story about engines," Asante said. "But this line
> was dug by hand. We wanted visitors to stand in front of a shovel and think about the person
> who held it."

## Saving the line

The most recent section covers the campaign to keep the line open when it was threatened with
closure in the 1960s. Visitors can listen to recorded interviews with campaigners, now in
their eighties, who describe packing the town hall for public meetings, writing thousands of
letters and organising a "ride-in" in which every seat on every train was filled for a week.

Display cases hold the campaign's hand-printed leaflets, enamel badges and a banner stitched
by members of the town's sewing circle, reading **Our Line, Our Town**. It hangs at the end of
the gallery, where it was last displayed at the public inquiry that eventually kept the trains
running.

## Something for children

The museum has not forgotten younger visitors. There is a dressing-up corner with porters'
caps and waistcoats, a model railway of the town as it looked a century ago that children can
set running with a push button, and a trail through the gallery with a stamp to collect at
each "station" along the way.

Family activity sessions run every Saturday morning during the school holidays, and a *build
your own signal box* workshop is already booked out for its first two weeks.

## Visiting

The Hollinsford Museum is open Tuesday to Sunday, 10am to 4pm. Entry is free, though
donations are encouraged, and the exhibition is fully step-free via the lift at the rear
entrance. Group visits and school bookings can be arranged through the
[museum's website](https://example.org/hollinsford-museum/visit).

The museum is also still collecting. Anyone with photographs, tickets, uniforms or memories of
the Wend Valley Line is invited to contact the curatorial team, and oral history recording
sessions are held on the first Wednesday of each month.
""",
        "comments": [],
    },
    {
        "slug": "bridge-street-cycle-lane-consultation",
        "title": "Bridge Street Cycle Lane: What the Consultation Says So Far",
        "summary": (
            "Early responses to the council's plan for a protected cycle track on Bridge Street "
            "show a town split almost down the middle."
        ),
        "author": "mara",
        "tags": ["Transport", "Local News"],
        "status": "draft",
        "days_ago": 1,
        "body": """\
The county council's consultation on a protected cycle lane along Bridge Street closes at the
end of the month, and early responses suggest the town is split almost exactly down the
middle. Of the 640 responses received so far, according to figures shared with councillors,
48 per cent support the proposal, 45 per cent oppose it and the rest are undecided.

The scheme would run a two-way cycle track from the station to the Corn Exchange, separated
from traffic by a low kerb. To make space, the eleven on-street parking bays on the western
side would be removed, and the loading bay outside the pharmacy would move around the corner
onto Wool Lane.

## The arguments

Supporters, many of them parents whose children cycle to the secondary school, say Bridge
Street is the single most intimidating stretch of road in the town. Opponents, including
several shop owners, worry that losing parking will push customers towards the out-of-town
supermarket, and that delivery drivers will simply stop in the cycle lane.

A public exhibition of the plans runs in the library foyer until the consultation closes,
and council officers will be on hand on Thursday evening to answer questions. A decision is
expected from the cabinet before the summer.

*Editor's note: still waiting on the council's traffic survey figures and a reply from the
traders' association before this goes out.*
""",
        "comments": [],
    },
    {
        "slug": "repair-cafe-first-anniversary",
        "title": "Hollinsford Repair Cafe Celebrates Its First Year",
        "summary": (
            "Twelve months, more than 600 repairs and one very stubborn toaster: the volunteer "
            "repair cafe in the scout hut marks its first birthday."
        ),
        "author": "tobias",
        "tags": ["Community", "Environment"],
        "status": "scheduled",
        "days_ago": -5,
        "body": """\
One year after it first set up folding tables in the scout hut, the Hollinsford Repair Cafe
has fixed more than 600 broken things that would otherwise have been thrown away. Lamps,
kettles, bicycles, jeans, radios and one famously stubborn toaster have all passed across its
tables, on the second Saturday of every month, with volunteers showing owners how to do the
repair themselves wherever they can.

The cafe's records show a success rate of just under 70 per cent. The most common fault, by
some distance, is a loose or broken wire in a plug or cable, which organiser Nell Fairbrother
says is also the most satisfying to fix. "Ten minutes with a screwdriver and someone's lamp
has another twenty years in it," she said.

## Birthday plans

To mark the anniversary, the cafe is holding an extended session on Saturday, from 10am to
4pm, with cake, a clothes-mending corner and a *bring your own broken thing* challenge for
children. Volunteers with soldering irons, sewing machines and bicycle tools will all be
there, and the local knife sharpener has promised to return by popular demand.

The cafe is also looking for more volunteers, particularly anyone confident with electronics
or sewing. No formal qualifications are needed, just patience and a willingness to explain
what you're doing. Details are on the
[repair cafe's page](https://example.org/hollinsford-repair-cafe).
""",
        "comments": [],
    },
]
