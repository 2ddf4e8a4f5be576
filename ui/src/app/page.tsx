import { Suspense } from "react";
import { Feed } from "@/components/Feed";

export default function Home() {
  return (
    <Suspense>
      <Feed />
    </Suspense>
  );
}
