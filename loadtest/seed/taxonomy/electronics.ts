import { around, colours, type LeafCategory, modelCode, num, bool, oneOf, required, text, type TopCategory, type VariantDraft, variantCount, variantValues } from "./kit.ts"

// ---------------------------------------------------------------- laptops

const laptopCpus = {
  budget: ["Intel Core i3-1315U", "AMD Ryzen 3 7320U", "Intel Core i5-1235U", "AMD Ryzen 5 7520U"],
  mid: ["Intel Core i5-13420H", "Intel Core i5-1335U", "AMD Ryzen 5 7535HS", "AMD Ryzen 7 7730U", "Intel Core Ultra 5 125H"],
  premium: ["Intel Core i7-13620H", "Intel Core Ultra 7 155H", "AMD Ryzen 7 8845HS", "Intel Core i9-13900H", "AMD Ryzen 9 7940HS"],
  apple: ["Apple M2", "Apple M3", "Apple M3 Pro", "Apple M4", "Apple M4 Pro"]
} as const
const allLaptopCpus = [...laptopCpus.budget, ...laptopCpus.mid, ...laptopCpus.premium, ...laptopCpus.apple]
const gpus = ["NVIDIA GeForce RTX 3050", "NVIDIA GeForce RTX 4050", "NVIDIA GeForce RTX 4060", "NVIDIA GeForce RTX 4070", "AMD Radeon RX 7600S"]
const laptopOs = ["Windows 11 Home", "Windows 11 Pro", "macOS", "Chrome OS"] as const

interface LaptopLine {
  readonly brand: string
  readonly line: string
  readonly tier: keyof typeof laptopCpus
  readonly gaming?: true
  readonly code: string
}
const laptopLines: ReadonlyArray<LaptopLine> = [
  { brand: "Lenovo", line: "IdeaPad Slim 3", tier: "budget", code: "15IAN8" },
  { brand: "Lenovo", line: "IdeaPad Slim 5", tier: "mid", code: "14IRH9" },
  { brand: "Lenovo", line: "ThinkPad E14", tier: "mid", code: "Gen 5" },
  { brand: "Lenovo", line: "Yoga Slim 7", tier: "premium", code: "14IMH9" },
  { brand: "Lenovo", line: "Legion 5", tier: "premium", gaming: true, code: "16IRX9" },
  { brand: "HP", line: "15s", tier: "budget", code: "fq5###TU" },
  { brand: "HP", line: "Pavilion 14", tier: "mid", code: "ek1###TU" },
  { brand: "HP", line: "Victus 15", tier: "mid", gaming: true, code: "fa1###TX" },
  { brand: "HP", line: "Envy x360", tier: "premium", code: "14-fc0###TU" },
  { brand: "HP", line: "OMEN 16", tier: "premium", gaming: true, code: "wf0###TX" },
  { brand: "Dell", line: "Inspiron 3520", tier: "budget", code: "D5##@###WIN#" },
  { brand: "Dell", line: "Vostro 3430", tier: "budget", code: "V##@#" },
  { brand: "Dell", line: "Inspiron 14 Plus", tier: "mid", code: "7440" },
  { brand: "Dell", line: "XPS 13", tier: "premium", code: "9340" },
  { brand: "Dell", line: "G15", tier: "mid", gaming: true, code: "5530" },
  { brand: "Apple", line: "MacBook Air 13", tier: "apple", code: "M@#@#HN/A" },
  { brand: "Apple", line: "MacBook Air 15", tier: "apple", code: "M@#@#HN/A" },
  { brand: "Apple", line: "MacBook Pro 14", tier: "apple", code: "M@#@#HN/A" },
  { brand: "ASUS", line: "Vivobook 15", tier: "budget", code: "X1504VA-NJ##WS" },
  { brand: "ASUS", line: "Zenbook 14 OLED", tier: "premium", code: "UX3405MA-PP##WS" },
  { brand: "ASUS", line: "TUF Gaming F15", tier: "mid", gaming: true, code: "FX507ZC4-HN##W" },
  { brand: "ASUS", line: "ROG Strix G16", tier: "premium", gaming: true, code: "G614JV-N39" },
  { brand: "Acer", line: "Aspire 3", tier: "budget", code: "A315-59" },
  { brand: "Acer", line: "Swift Go 14", tier: "mid", code: "SFG14-7#" },
  { brand: "Acer", line: "Nitro V", tier: "mid", gaming: true, code: "ANV15-5#" },
  { brand: "MSI", line: "Modern 14", tier: "budget", code: "C13M-###IN" },
  { brand: "MSI", line: "Katana 15", tier: "premium", gaming: true, code: "B13VFK-###IN" }
]
const tierPrice = { budget: 32_000, mid: 58_000, premium: 95_000, apple: 105_000 } as const

const laptops: LeafCategory = {
  category_id: "cat_laptops",
  name: "Laptops",
  weight: 6,
  imageFolder: "laptops",
  attribute_schema: {
    processor: required(oneOf(allLaptopCpus)),
    ram_gb: required(num),
    storage_gb: required(num),
    screen_in: required(num),
    os: required(oneOf(laptopOs)),
    graphics: text,
    colour: oneOf(colours.tech),
    weight_kg: num,
    touchscreen: bool,
    backlit_keyboard: bool
  },
  make: (r) => {
    const line = r.pick(laptopLines)
    const apple = line.tier === "apple"
    const processor = r.pick(laptopCpus[line.tier])
    const ram = apple ? r.pick([8, 16, 24]) : line.tier === "budget" ? r.pick([8, 8, 16]) : r.pick([16, 16, 32])
    const screen = apple ? (line.line.endsWith("15") ? 15.3 : line.line.endsWith("14") ? 14.2 : 13.6) : r.pick([14, 15.6, 15.6, 16])
    const os = apple ? "macOS" : r.chance(0.15) ? "Windows 11 Pro" : "Windows 11 Home"
    const graphics = line.gaming === true ? r.pick(gpus) : apple ? "Integrated 10-core GPU" : "Integrated graphics"
    const storages = variantValues(r, apple ? [256, 512, 1024] : [512, 1024, 2048], variantCount(r, 3))
    const colour = r.pick(colours.tech.slice(0, 4))
    const base = around(r, tierPrice[line.tier]) * (line.gaming === true ? 1.25 : 1) * (ram >= 16 ? 1.12 : 1) * (ram >= 32 ? 1.2 : 1)
    const variants: Array<VariantDraft> = storages.map((storage, i) => ({ attributes: { storage_gb: storage }, rupees: base + i * (apple ? 20_000 : 7_000) }))
    const model = modelCode(r, line.code)
    const screenText = `${screen}-inch`
    return {
      brand: line.brand,
      title: `${line.brand} ${line.line} ${model} Laptop (${processor}, ${ram} GB RAM, ${screenText}${line.gaming === true ? `, ${graphics}` : ""}, ${os})`,
      attributes: {
        processor,
        ram_gb: ram,
        screen_in: screen,
        os,
        graphics,
        colour,
        weight_kg: Math.round(around(r, line.gaming === true ? 2.3 : 1.5, 0.12) * 100) / 100,
        touchscreen: line.line.includes("x360"),
        backlit_keyboard: line.tier !== "budget" || r.chance(0.4)
      },
      variants,
      highlights: [
        `${processor} processor for everyday speed`,
        `${ram} GB RAM for smooth multitasking`,
        `${screenText} display`,
        line.gaming === true ? `${graphics} graphics for gaming` : "All-day battery life",
        `${os} preinstalled`
      ]
    }
  }
}

// ---------------------------------------------------------------- phones

interface PhoneLine {
  readonly brand: string
  readonly line: string
  readonly price: number
  readonly ios?: true
}
const phoneLines: ReadonlyArray<PhoneLine> = [
  { brand: "Samsung", line: "Galaxy S24", price: 74_999 },
  { brand: "Samsung", line: "Galaxy S23 FE", price: 39_999 },
  { brand: "Samsung", line: "Galaxy A55", price: 36_999 },
  { brand: "Samsung", line: "Galaxy A35", price: 30_999 },
  { brand: "Samsung", line: "Galaxy M35", price: 17_999 },
  { brand: "Samsung", line: "Galaxy F15", price: 12_999 },
  { brand: "Apple", line: "iPhone 16 Pro", price: 119_900, ios: true },
  { brand: "Apple", line: "iPhone 16", price: 79_900, ios: true },
  { brand: "Apple", line: "iPhone 15", price: 69_900, ios: true },
  { brand: "Apple", line: "iPhone 14", price: 59_900, ios: true },
  { brand: "Xiaomi", line: "Redmi Note 13 Pro", price: 23_999 },
  { brand: "Xiaomi", line: "Redmi 13C", price: 8_999 },
  { brand: "Xiaomi", line: "Xiaomi 14", price: 69_999 },
  { brand: "OnePlus", line: "12", price: 64_999 },
  { brand: "OnePlus", line: "12R", price: 39_999 },
  { brand: "OnePlus", line: "Nord CE4", price: 24_999 },
  { brand: "OnePlus", line: "Nord 4", price: 29_999 },
  { brand: "realme", line: "12 Pro+", price: 29_999 },
  { brand: "realme", line: "Narzo 70", price: 14_999 },
  { brand: "vivo", line: "V30", price: 33_999 },
  { brand: "vivo", line: "T3", price: 19_999 },
  { brand: "vivo", line: "Y28", price: 13_999 },
  { brand: "OPPO", line: "Reno12", price: 32_999 },
  { brand: "OPPO", line: "A79", price: 19_999 },
  { brand: "Motorola", line: "Edge 50 Fusion", price: 22_999 },
  { brand: "Motorola", line: "Moto G85", price: 17_999 },
  { brand: "Google", line: "Pixel 8a", price: 52_999 },
  { brand: "Google", line: "Pixel 9", price: 79_999 },
  { brand: "Nothing", line: "Phone (2a)", price: 23_999 }
]
const phoneColours = ["Black", "Blue", "Green", "White", "Lavender", "Titanium Grey", "Mint", "Cream"]

const phones: LeafCategory = {
  category_id: "cat_phones",
  name: "Mobile phones",
  weight: 8,
  imageFolder: "phones",
  attribute_schema: {
    storage_gb: required(num),
    ram_gb: required(num),
    colour: required(oneOf(phoneColours)),
    screen_in: num,
    battery_mah: num,
    rear_camera_mp: num,
    network: oneOf(["4G", "5G"]),
    os: oneOf(["Android", "iOS"]),
    dual_sim: bool
  },
  make: (r) => {
    const line = r.pick(phoneLines)
    const ios = line.ios === true
    const ram = ios ? 8 : line.price > 40_000 ? r.pick([8, 12]) : r.pick([4, 6, 8])
    const network = ios || line.price > 12_000 || r.chance(0.5) ? "5G" : "4G"
    const storages = variantValues(r, ios ? [128, 256, 512] : [64, 128, 256, 512].filter((s) => s >= (line.price > 30_000 ? 128 : 64)), r.int(1, 2))
    const shades = variantValues(r, phoneColours, r.int(1, 2))
    const variants: Array<VariantDraft> = []
    for (const storage of storages) {
      for (const colour of shades) {
        if (variants.length < 4) variants.push({ attributes: { storage_gb: storage, colour }, rupees: line.price * (1 + 0.12 * Math.log2(storage / storages[0]!)) })
      }
    }
    const screen = ios ? 6.1 : Math.round(around(r, 6.6, 0.04) * 10) / 10
    const camera = ios ? 48 : r.pick([50, 50, 64, 108, 200])
    const battery = ios ? 3_349 : r.pick([5_000, 5_000, 5_500, 6_000, 4_500])
    return {
      brand: line.brand,
      title: `${line.brand} ${line.line}${network === "5G" && !ios ? " 5G" : ""} (${ram} GB RAM, ${screen}-inch display, ${camera} MP camera)`,
      attributes: { ram_gb: ram, screen_in: screen, battery_mah: battery, rear_camera_mp: camera, network, os: ios ? "iOS" : "Android", dual_sim: !ios || r.chance(0.5) },
      variants,
      highlights: [`${camera} MP main camera`, `${battery} mAh battery`, `${screen}-inch display`, `${network} ready`]
    }
  }
}

// ---------------------------------------------------------------- headphones

const headphoneTypes = ["Over-ear", "On-ear", "In-ear", "True wireless earbuds", "Neckband"] as const
type HeadphoneType = (typeof headphoneTypes)[number]
interface HeadphoneLine {
  readonly brand: string
  readonly line: string
  readonly type: HeadphoneType
  readonly price: number
  readonly anc: boolean
  readonly hours: number
}
const headphoneLines: ReadonlyArray<HeadphoneLine> = [
  { brand: "Sony", line: "WH-1000XM5", type: "Over-ear", price: 29_990, anc: true, hours: 30 },
  { brand: "Sony", line: "WH-CH720N", type: "Over-ear", price: 9_990, anc: true, hours: 35 },
  { brand: "Sony", line: "WH-CH520", type: "On-ear", price: 4_490, anc: false, hours: 50 },
  { brand: "Sony", line: "WF-C700N", type: "True wireless earbuds", price: 8_990, anc: true, hours: 15 },
  { brand: "boAt", line: "Rockerz 450", type: "On-ear", price: 1_499, anc: false, hours: 15 },
  { brand: "boAt", line: "Airdopes 141", type: "True wireless earbuds", price: 1_299, anc: false, hours: 42 },
  { brand: "boAt", line: "Rockerz 255 Pro+", type: "Neckband", price: 1_199, anc: false, hours: 60 },
  { brand: "boAt", line: "Nirvana Ion", type: "True wireless earbuds", price: 2_299, anc: true, hours: 120 },
  { brand: "JBL", line: "Tune 760NC", type: "Over-ear", price: 5_999, anc: true, hours: 35 },
  { brand: "JBL", line: "Tune 520BT", type: "On-ear", price: 3_999, anc: false, hours: 57 },
  { brand: "JBL", line: "Wave Beam", type: "True wireless earbuds", price: 2_999, anc: false, hours: 32 },
  { brand: "JBL", line: "Live 660NC", type: "Over-ear", price: 12_999, anc: true, hours: 50 },
  { brand: "Bose", line: "QuietComfort Ultra", type: "Over-ear", price: 35_900, anc: true, hours: 24 },
  { brand: "Bose", line: "QuietComfort Earbuds II", type: "True wireless earbuds", price: 25_900, anc: true, hours: 6 },
  { brand: "Sennheiser", line: "Momentum 4 Wireless", type: "Over-ear", price: 29_990, anc: true, hours: 60 },
  { brand: "Sennheiser", line: "CX Plus True Wireless", type: "True wireless earbuds", price: 9_990, anc: true, hours: 8 },
  { brand: "Noise", line: "Buds VS104", type: "True wireless earbuds", price: 1_099, anc: false, hours: 45 },
  { brand: "OnePlus", line: "Buds 3", type: "True wireless earbuds", price: 5_499, anc: true, hours: 44 },
  { brand: "OnePlus", line: "Bullets Wireless Z2", type: "Neckband", price: 1_999, anc: false, hours: 30 },
  { brand: "Skullcandy", line: "Crusher Evo", type: "Over-ear", price: 14_999, anc: false, hours: 40 },
  { brand: "Apple", line: "AirPods Pro (2nd generation)", type: "True wireless earbuds", price: 24_900, anc: true, hours: 6 },
  { brand: "Apple", line: "AirPods Max", type: "Over-ear", price: 59_900, anc: true, hours: 20 },
  { brand: "Sennheiser", line: "HD 206", type: "Over-ear", price: 1_790, anc: false, hours: 0 }
]
const headphoneColours = ["Black", "White", "Blue", "Midnight Blue", "Silver", "Beige", "Green", "Red"]

const headphones: LeafCategory = {
  category_id: "cat_headphones",
  name: "Headphones",
  weight: 7,
  imageFolder: "headphones",
  attribute_schema: {
    type: required(oneOf(headphoneTypes)),
    wireless: required(bool),
    noise_cancelling: bool,
    battery_hours: num,
    driver_mm: num,
    colour: required(oneOf(headphoneColours)),
    microphone: bool
  },
  make: (r) => {
    const line = r.pick(headphoneLines)
    const wireless = line.hours > 0
    const shades = variantValues(r, headphoneColours.slice(0, line.price > 20_000 ? 4 : 8), variantCount(r, 3))
    const driver = line.type === "True wireless earbuds" || line.type === "In-ear" || line.type === "Neckband" ? r.pick([6, 10, 11, 12.4]) : r.pick([30, 40, 40, 50])
    const kind = line.type === "True wireless earbuds" ? "Earbuds" : line.type === "Neckband" ? "Neckband" : `${line.type} Headphones`
    return {
      brand: line.brand,
      title: `${line.brand} ${line.line} ${wireless ? "Wireless " : "Wired "}${line.anc ? "Noise Cancelling " : ""}${kind}${wireless ? ` with up to ${line.hours} Hours Playback` : ""}`,
      attributes: {
        type: line.type,
        wireless,
        noise_cancelling: line.anc,
        ...(wireless ? { battery_hours: line.hours } : {}),
        driver_mm: driver,
        microphone: line.type !== "Over-ear" || r.chance(0.7)
      },
      variants: shades.map((colour) => ({ attributes: { colour }, rupees: line.price })),
      highlights: [
        line.anc ? "Active noise cancellation" : "Deep, punchy bass",
        wireless ? `Up to ${line.hours} hours of playback` : "Tangle-free cable",
        `${driver} mm drivers`,
        wireless ? "Bluetooth 5.3 with fast pairing" : "3.5 mm jack"
      ]
    }
  }
}

// ---------------------------------------------------------------- televisions

const tvOs = ["Google TV", "Tizen", "webOS", "Fire TV", "VIDAA", "Android TV"] as const
interface TvLine {
  readonly brand: string
  readonly line: string
  readonly panel: "LED" | "QLED" | "OLED" | "Mini LED" | "NanoCell"
  readonly os: (typeof tvOs)[number]
  /** Rupees per inch at 55 inches. */
  readonly perInch: number
}
const tvLines: ReadonlyArray<TvLine> = [
  { brand: "Samsung", line: "Crystal 4K Vista", panel: "LED", os: "Tizen", perInch: 820 },
  { brand: "Samsung", line: "Neo QLED QN90D", panel: "Mini LED", os: "Tizen", perInch: 2_900 },
  { brand: "Samsung", line: "The Frame", panel: "QLED", os: "Tizen", perInch: 1_700 },
  { brand: "LG", line: "UR7500", panel: "LED", os: "webOS", perInch: 800 },
  { brand: "LG", line: "NanoCell NANO81", panel: "NanoCell", os: "webOS", perInch: 1_050 },
  { brand: "LG", line: "OLED evo C4", panel: "OLED", os: "webOS", perInch: 3_100 },
  { brand: "Sony", line: "Bravia 2", panel: "LED", os: "Google TV", perInch: 1_050 },
  { brand: "Sony", line: "Bravia 7", panel: "Mini LED", os: "Google TV", perInch: 2_800 },
  { brand: "Xiaomi", line: "X Pro", panel: "LED", os: "Google TV", perInch: 650 },
  { brand: "Xiaomi", line: "A Pro", panel: "LED", os: "Google TV", perInch: 560 },
  { brand: "TCL", line: "C755", panel: "QLED", os: "Google TV", perInch: 1_100 },
  { brand: "TCL", line: "P755", panel: "LED", os: "Google TV", perInch: 620 },
  { brand: "OnePlus", line: "Y1S Pro", panel: "LED", os: "Android TV", perInch: 600 },
  { brand: "Hisense", line: "E6N", panel: "LED", os: "VIDAA", perInch: 560 },
  { brand: "Hisense", line: "U6N", panel: "Mini LED", os: "VIDAA", perInch: 1_200 },
  { brand: "Acer", line: "Advanced I Series", panel: "LED", os: "Google TV", perInch: 540 },
  { brand: "VW", line: "Playwall Frameless", panel: "LED", os: "Fire TV", perInch: 420 }
]

const televisions: LeafCategory = {
  category_id: "cat_televisions",
  name: "Televisions",
  weight: 4,
  imageFolder: "televisions",
  attribute_schema: {
    screen_in: required(num),
    resolution: required(oneOf(["HD Ready", "Full HD", "4K Ultra HD", "8K"])),
    panel: required(oneOf(["LED", "QLED", "OLED", "Mini LED", "NanoCell"])),
    smart: required(bool),
    operating_system: oneOf(tvOs),
    refresh_hz: num,
    hdmi_ports: num,
    dolby_vision: bool
  },
  make: (r) => {
    const line = r.pick(tvLines)
    const premium = line.panel === "OLED" || line.panel === "Mini LED"
    const sizes = variantValues(r, premium ? [55, 65, 75, 85] : [32, 43, 50, 55, 65], variantCount(r))
    const resolution = sizes[0]! <= 32 ? "HD Ready" : "4K Ultra HD"
    const refresh = premium ? r.pick([100, 120, 144]) : r.pick([60, 60, 120])
    return {
      brand: line.brand,
      title: `${line.brand} ${line.line} ${resolution} Smart ${line.panel} ${line.os} TV (${modelCode(r, "@@##@@##")})`,
      attributes: {
        resolution,
        panel: line.panel,
        smart: true,
        operating_system: line.os,
        refresh_hz: refresh,
        hdmi_ports: r.pick([2, 3, 4]),
        dolby_vision: premium || r.chance(0.4)
      },
      variants: sizes.map((size) => ({ attributes: { screen_in: size }, rupees: line.perInch * size * (size / 55) })),
      highlights: [`${resolution} picture`, `${line.panel} panel`, `${refresh} Hz refresh rate`, `${line.os} with popular streaming apps`]
    }
  }
}

// ---------------------------------------------------------------- smartwatches

interface WatchLine {
  readonly brand: string
  readonly line: string
  readonly price: number
  readonly display: "AMOLED" | "LCD" | "Retina LTPO OLED"
  readonly gps: boolean
  readonly days: number
}
const watchLines: ReadonlyArray<WatchLine> = [
  { brand: "Apple", line: "Watch Series 10", price: 46_900, display: "Retina LTPO OLED", gps: true, days: 1 },
  { brand: "Apple", line: "Watch SE", price: 29_900, display: "Retina LTPO OLED", gps: true, days: 1 },
  { brand: "Samsung", line: "Galaxy Watch7", price: 29_999, display: "AMOLED", gps: true, days: 2 },
  { brand: "Noise", line: "ColorFit Pro 5", price: 3_999, display: "AMOLED", gps: false, days: 7 },
  { brand: "boAt", line: "Wave Sigma", price: 1_299, display: "LCD", gps: false, days: 7 },
  { brand: "Fire-Boltt", line: "Ninja Call Pro Plus", price: 1_199, display: "LCD", gps: false, days: 5 },
  { brand: "Amazfit", line: "GTR 4", price: 14_999, display: "AMOLED", gps: true, days: 14 },
  { brand: "Fastrack", line: "Revoltt FS1", price: 1_695, display: "LCD", gps: false, days: 5 },
  { brand: "Garmin", line: "Forerunner 265", price: 44_990, display: "AMOLED", gps: true, days: 13 },
  { brand: "OnePlus", line: "Watch 2", price: 24_999, display: "AMOLED", gps: true, days: 4 }
]
const strapColours = ["Black", "Silver", "Midnight", "Pink", "Blue", "Green", "Starlight", "Orange"]

const smartwatches: LeafCategory = {
  category_id: "cat_smartwatches",
  name: "Smartwatches",
  weight: 4,
  imageFolder: "smartwatches",
  attribute_schema: {
    display: required(oneOf(["AMOLED", "LCD", "Retina LTPO OLED"])),
    dial_mm: required(num),
    strap_colour: required(oneOf(strapColours)),
    gps: bool,
    battery_days: num,
    water_resistant: bool,
    bluetooth_calling: bool
  },
  make: (r) => {
    const line = r.pick(watchLines)
    const dials = variantValues(r, line.brand === "Apple" ? [40, 44, 46] : [42, 44, 46], r.int(1, 2))
    const straps = variantValues(r, strapColours, r.int(1, 2))
    const variants: Array<VariantDraft> = []
    for (const dial of dials) for (const strap of straps) variants.push({ attributes: { dial_mm: dial, strap_colour: strap }, rupees: line.price * (dial === dials[0] ? 1 : 1.08) })
    const calling = line.price < 5_000 || r.chance(0.5)
    return {
      brand: line.brand,
      title: `${line.brand} ${line.line} Smartwatch with ${line.display} Display${calling ? ", Bluetooth Calling" : ""}${line.gps ? " and GPS" : ""}`,
      attributes: { display: line.display, gps: line.gps, battery_days: line.days, water_resistant: true, bluetooth_calling: calling },
      variants,
      highlights: [`${line.display} display`, `Up to ${line.days} day${line.days === 1 ? "" : "s"} of battery`, "Heart-rate and SpO2 tracking", line.gps ? "Built-in GPS" : "100+ sports modes"]
    }
  }
}

export const electronics: TopCategory = {
  category_id: "cat_electronics",
  name: "Electronics",
  leaves: [laptops, phones, headphones, televisions, smartwatches]
}
