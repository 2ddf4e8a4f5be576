import { Suspense } from "react";
import type { Metadata } from "next";
import { Feed } from "@/components/Feed";

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  const { name } = await params;
  return { title: `m/${decodeURIComponent(name)}` };
}

export default async function SubmoltPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return (
    <Suspense>
      <Feed submolt={decodeURIComponent(name)} />
    </Suspense>
  );
}
