import { createRequire } from "node:module";
import { describeRealCase, itFollowsLibraryChange } from "./run-case.js";
import { dateFnsCase } from "../../fixtures/real/index.js";

const require = createRequire(import.meta.url);
const dateFns: { setDefaultOptions(o: object): void; getDefaultOptions(): object } = require("date-fns");
const { de } = require("date-fns/locale") as { de: object };

describeRealCase(dateFnsCase, () => {
  // date-fns documents setDefaultOptions as the way to change the locale of every later call.
  itFollowsLibraryChange(dateFnsCase, "setDefaultOptions({ locale: de })", () => {
    const saved = dateFns.getDefaultOptions();
    dateFns.setDefaultOptions({ locale: de });
    return () => dateFns.setDefaultOptions({ ...saved, locale: undefined });
  });
});
