/**
 * Where people live: municipalities weighted roughly by population, each with
 * real-looking postal codes and the share of Russian speakers there (Narva and
 * Sillamäe are mostly Russian-speaking, Viljandi almost not at all), which in
 * turn drives names and preferred language.
 */
import { Weighted, type Random } from './random.ts';

export interface Municipality {
  name: string;
  postalCodes: readonly string[];
  russianShare: number;
}

const range = (from: number, count: number, step = 1) =>
  Array.from({ length: count }, (_, i) => String(from + i * step));

const MUNICIPALITIES: ReadonlyArray<readonly [Municipality, number]> = [
  [{ name: 'Tallinn', postalCodes: [...range(10111, 45), ...range(11311, 20), ...range(12911, 15), ...range(13411, 25)], russianShare: 0.36 }, 330],
  [{ name: 'Tartu', postalCodes: [...range(50101, 20), ...range(50401, 12), ...range(51003, 20)], russianShare: 0.12 }, 75],
  [{ name: 'Narva', postalCodes: [...range(20101, 10), ...range(20301, 9), ...range(21001, 9)], russianShare: 0.94 }, 40],
  [{ name: 'Pärnu', postalCodes: range(80010, 40), russianShare: 0.1 }, 40],
  [{ name: 'Kohtla-Järve', postalCodes: [...range(30321, 10), ...range(31021, 10)], russianShare: 0.8 }, 25],
  [{ name: 'Saaremaa vald', postalCodes: range(93811, 12), russianShare: 0.02 }, 24],
  [{ name: 'Viljandi', postalCodes: range(71003, 21), russianShare: 0.03 }, 14],
  [{ name: 'Rakvere', postalCodes: range(44306, 12), russianShare: 0.1 }, 12],
  [{ name: 'Maardu', postalCodes: range(74111, 5), russianShare: 0.7 }, 12],
  [{ name: 'Sillamäe', postalCodes: range(40231, 3), russianShare: 0.9 }, 10],
  [{ name: 'Võru', postalCodes: range(65603, 8), russianShare: 0.04 }, 9],
  [{ name: 'Valga', postalCodes: range(68203, 4), russianShare: 0.15 }, 8],
  [{ name: 'Jõhvi vald', postalCodes: range(41531, 8), russianShare: 0.6 }, 9],
  [{ name: 'Haapsalu', postalCodes: range(90502, 6), russianShare: 0.08 }, 10],
  [{ name: 'Keila', postalCodes: range(76606, 5), russianShare: 0.15 }, 8],
  [{ name: 'Paide', postalCodes: range(72711, 10), russianShare: 0.03 }, 7],
  [{ name: 'Viimsi vald', postalCodes: range(74001, 20), russianShare: 0.12 }, 18],
  [{ name: 'Rae vald', postalCodes: range(75301, 12), russianShare: 0.15 }, 20],
  [{ name: 'Harku vald', postalCodes: range(76901, 26), russianShare: 0.1 }, 16],
  [{ name: 'Saue vald', postalCodes: range(76505, 4), russianShare: 0.1 }, 17],
  [{ name: 'Tartu vald', postalCodes: range(60501, 20), russianShare: 0.03 }, 8],
  [{ name: 'Saku vald', postalCodes: range(75501, 10), russianShare: 0.06 }, 8],
  [{ name: 'Kuressaare', postalCodes: range(93815, 8), russianShare: 0.02 }, 6],
  [{ name: 'Põlva vald', postalCodes: range(63308, 6), russianShare: 0.02 }, 6],
  [{ name: 'Jõgeva vald', postalCodes: range(48303, 6), russianShare: 0.03 }, 5],
];

const municipalities = new Weighted(MUNICIPALITIES);

const STREETS = `Pärnu mnt|Narva mnt|Tartu mnt|Vabaduse pst|Kalevi|Männi|Kase|Pikk|Lai|Aia|Jõe|Kooli|Posti|Rüütli|Lossi|
Tähe|Riia|Ülikooli|Kesk|Vee|Mere pst|Sõpruse pst|Mustamäe tee|Paldiski mnt|Peterburi tee|Akadeemia tee|Vilde tee|Ehitajate tee|
Kaare|Kuuse|Pae|Pirita tee|Rahu|Raua|Sadama|Sauna|Suur-Sõjamäe|Tuukri|Tööstuse|Uus|Vana-Kalamaja|Veerenni|Väike-Ameerika|
Joala|Kreenholmi|Tallinna mnt|Puškini|Fama|Kraavi|Rakvere|Lille|Oja|Pargi|Metsa|Järve|Staadioni|Nurme|Kalda|Niidu|Mõisa`
  .split('|')
  .map((s) => s.trim());

export interface Address {
  municipality: string;
  postalCode: string;
  street: string;
}

export function drawMunicipality(random: Random): Municipality {
  return municipalities.draw(random);
}

export function drawAddress(random: Random, municipality: Municipality): Address {
  const house = random.int(1, 120);
  // Most people live in apartment blocks.
  const flat = random.chance(0.7) ? `-${random.int(1, 96)}` : '';
  return {
    municipality: municipality.name,
    postalCode: random.pick(municipality.postalCodes),
    street: `${random.pick(STREETS)} ${house}${flat}`,
  };
}

export const TALLINN = MUNICIPALITIES[0]![0];
export function municipalityNamed(name: string): Municipality {
  const found = MUNICIPALITIES.find(([m]) => m.name === name);
  if (!found) throw new RangeError(`unknown municipality ${name}`);
  return found[0];
}
